/**
 * Accounts: names, Maildirs and password hashes kept in the settings. Verifying a password
 * never reveals whether the account exists (a missing account costs the same scrypt time).
 */
import { resolve } from 'node:path';
import type { Account } from '../config/schema.js';
import { ACCOUNT_NAME } from '../config/schema.js';
import type { SettingsStore } from '../config/settings-store.js';
import { generatePassword, hashPassword, unmatchableHash, verifyPassword } from './password.js';
import { VerifiedLogins } from './verified-logins.js';

export class AccountError extends Error {
  override name = 'AccountError';
  constructor(
    /**
     * OUTSIDE_HOME: the Maildir is outside the user's folders and the caller did not confirm.
     * NEW_FOLDER: the chosen folder does not exist and the caller did not confirm creating it.
     */
    readonly code:
      'NOT_FOUND' | 'EXISTS' | 'INVALID' | 'NOT_MAILDIR' | 'OUTSIDE_HOME' | 'NEW_FOLDER',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The shortest password a user may choose (NIST SP 800-63B §5.1.1.1 asks for at least 8). A
 * phone stores it, so it is typed once; generated ones are 23 characters.
 */
export const MIN_PASSWORD_LENGTH = 8;

export function checkChosenPassword(password: string | undefined): void {
  if (password !== undefined && [...password].length < MIN_PASSWORD_LENGTH) {
    throw new AccountError(
      'INVALID',
      `That password is too short: use at least ${MIN_PASSWORD_LENGTH} characters, or leave it out and Mailport makes a strong one.`,
    );
  }
}

export class Accounts {
  /**
   * What a missing account's password is checked against: a hash in the form and with the
   * parameters `hashPassword` writes (a random key no password yields), so a wrong password
   * for a missing user runs the same scrypt as for an existing one.
   */
  readonly #dummyHash = unmatchableHash();
  /** Passwords scrypt accepted lately (verified-logins.ts): a repeated login skips scrypt. */
  readonly #verified = new VerifiedLogins();

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
    if (account && this.#verified.matches(account, password)) return account;
    const hash = account?.passwordHash ?? this.#dummyHash;
    const ok = await verifyPassword(password, hash);
    if (!ok || !account) return undefined;
    // Bound to the hash just checked: if the password changed meanwhile, the entry never matches.
    this.#verified.remember(account.name, hash, password);
    return account;
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
    checkChosenPassword(password);
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
    this.#verified.forget(name);
  }

  /** Sets a new password (generated when none is given) and returns it. */
  async setPassword(name: string, password?: string): Promise<string> {
    checkChosenPassword(password);
    const secret = password ?? generatePassword();
    const hash = await hashPassword(secret);
    await this.settings.update((draft) => {
      const account = draft.accounts.find((a) => a.name.toLowerCase() === name.toLowerCase());
      if (!account) throw new AccountError('NOT_FOUND', `There is no account named "${name}"`);
      account.passwordHash = hash;
    });
    this.#verified.forget(name);
    return secret;
  }
}
