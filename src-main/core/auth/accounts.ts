/**
 * Accounts: names, Maildirs and password hashes kept in the settings. Verifying a password
 * never reveals whether the account exists (a missing account costs the same scrypt time).
 */
import { resolve } from 'node:path';
import type { Account } from '../config/schema.js';
import { ACCOUNT_NAME } from '../config/schema.js';
import type { SettingsStore } from '../config/settings-store.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';

export class AccountError extends Error {
  override name = 'AccountError';
  constructor(
    /** OUTSIDE_HOME: the Maildir is outside the user's folders and the caller did not confirm. */
    readonly code: 'NOT_FOUND' | 'EXISTS' | 'INVALID' | 'NOT_MAILDIR' | 'OUTSIDE_HOME',
    message: string,
  ) {
    super(message);
  }
}

const DUMMY_HASH =
  'scrypt$15$8$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export class Accounts {
  constructor(readonly settings: SettingsStore) {}

  list(): Account[] {
    return this.settings.current.accounts;
  }

  find(name: string): Account | undefined {
    return this.list().find((a) => a.name.toLowerCase() === name.toLowerCase());
  }

  /** The account if `password` is right, otherwise undefined. */
  async authenticate(name: string, password: string): Promise<Account | undefined> {
    await this.settings.reloadIfChanged(); // `mailport account …` may have run meanwhile
    const account = this.find(name);
    const ok = await verifyPassword(password, account?.passwordHash ?? DUMMY_HASH);
    return ok ? account : undefined;
  }

  /** Throws unless `name` is a valid name that no account has yet. */
  assertNew(name: string): void {
    if (!ACCOUNT_NAME.test(name)) {
      throw new AccountError(
        'INVALID',
        `"${name}" is not a valid account name (letters, digits and . _ @ + -)`,
      );
    }
    if (this.find(name))
      throw new AccountError('EXISTS', `An account named "${name}" already exists`);
  }

  /** Adds an account; returns the password (generated when none is given). */
  async add(
    name: string,
    maildir: string,
    password?: string,
  ): Promise<{ account: Account; password: string }> {
    this.assertNew(name);
    const secret = password ?? generatePassword();
    const account: Account = {
      name,
      maildir: resolve(maildir),
      passwordHash: await hashPassword(secret),
    };
    await this.settings.update((draft) => {
      if (draft.accounts.some((a) => a.name.toLowerCase() === name.toLowerCase())) {
        throw new AccountError('EXISTS', `An account named "${name}" already exists`);
      }
      draft.accounts.push(account);
    });
    return { account, password: secret };
  }

  async remove(name: string): Promise<void> {
    await this.settings.update((draft) => {
      const index = draft.accounts.findIndex((a) => a.name.toLowerCase() === name.toLowerCase());
      if (index === -1) throw new AccountError('NOT_FOUND', `There is no account named "${name}"`);
      draft.accounts.splice(index, 1);
    });
  }

  /** Sets a new password (generated when none is given) and returns it. */
  async setPassword(name: string, password?: string): Promise<string> {
    const secret = password ?? generatePassword();
    const hash = await hashPassword(secret);
    await this.settings.update((draft) => {
      const account = draft.accounts.find((a) => a.name.toLowerCase() === name.toLowerCase());
      if (!account) throw new AccountError('NOT_FOUND', `There is no account named "${name}"`);
      account.passwordHash = hash;
    });
    return secret;
  }
}
