/**
 * Adding an account as the CLI and the ControlApi do it: the name is checked first, then the
 * place of its Maildir (`maildir-location.ts`), and only then is anything created on disk.
 */
import { join } from 'node:path';
import type { Account } from '../config/schema.js';
import { MaildirStore } from '../store/maildir/maildir-store.js';
import type { Accounts } from './accounts.js';
import { checkNewMaildir, type MaildirPlaces } from './maildir-location.js';

export interface NewAccount {
  readonly name: string;
  /** Where its mail is; `<data dir>/mail/<name>` when absent. */
  readonly maildir?: string;
  /** Generated when absent. */
  readonly password?: string;
  /** The caller confirmed a Maildir outside the home folder and the data dir. */
  readonly allowAnyPath?: boolean;
}

export async function addAccount(
  accounts: Accounts,
  places: MaildirPlaces,
  request: NewAccount,
): Promise<{ account: Account; password: string }> {
  accounts.assertNew(request.name);
  const maildir = request.maildir ?? join(places.dataDir, 'mail', request.name);
  await checkNewMaildir(maildir, places, request.allowAnyPath);
  await new MaildirStore(maildir).ensure();
  return accounts.add(request.name, maildir, request.password);
}
