/**
 * Adding an account as the CLI and the ControlApi do it: the name is checked first, then the
 * place of its Maildir (`maildir-location.ts`), and only then is anything created on disk.
 */
import { join } from 'node:path';
import type { Account } from '../config/schema.js';
import { MaildirStore } from '../store/maildir/maildir-store.js';
import { AccountError, type Accounts } from './accounts.js';
import { checkNewMaildir, type MaildirPlaces } from './maildir-location.js';

export interface NewAccount {
  readonly name: string;
  /** Where its mail is; `<data dir>/mail/<name>` when absent. */
  readonly maildir?: string;
  /** Generated when absent. */
  readonly password?: string;
  /** The caller confirmed a Maildir outside the home folder and the data dir. */
  readonly allowAnyPath?: boolean;
  /**
   * Whether a chosen `maildir` that does not exist yet may be created (true when absent). The
   * window passes false until the user confirms, so a typo'd path is not made silently.
   */
  readonly createFolder?: boolean;
}

export interface AddedAccount {
  readonly account: Account;
  readonly password: string;
  /** The Maildir's folder did not exist and was created. */
  readonly createdFolder: boolean;
}

export async function addAccount(
  accounts: Accounts,
  places: MaildirPlaces,
  request: NewAccount,
): Promise<AddedAccount> {
  accounts.assertNew(request.name);
  const maildir = request.maildir ?? join(places.dataDir, 'mail', request.name);
  const place = await checkNewMaildir(maildir, places, request.allowAnyPath);
  // Mailport's own default place is always made; a folder the user named only when allowed.
  if (place === 'missing' && request.maildir !== undefined && request.createFolder === false)
    throw new AccountError(
      'NEW_FOLDER',
      `The folder "${maildir}" does not exist. Check the path for a typo, or confirm that ` +
        'Mailport should create it.',
    );
  await new MaildirStore(maildir).ensure();
  const added = await accounts.add(request.name, maildir, request.password);
  return { ...added, createdFolder: place === 'missing' };
}
