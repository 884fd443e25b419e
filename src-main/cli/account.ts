/** `mailport account add|list|remove|passwd`. */
import { homedir } from 'node:os';
import { AccountError, Accounts, checkChosenPassword } from '../core/auth/accounts.js';
import { addAccount } from '../core/auth/add-account.js';
import { dataPaths } from '../core/config/paths.js';
import { SettingsStore } from '../core/config/settings-store.js';
import { readPasswordFromStdin, UsageError } from './usage.js';

export interface AccountOptions {
  readonly maildir?: string;
  readonly passwordStdin: boolean;
  /** `--allow-any-path`: a Maildir outside the home folder and the data dir is meant. */
  readonly allowAnyPath?: boolean;
}

export async function accountCommand(
  dataDir: string,
  args: string[],
  options: AccountOptions,
): Promise<number> {
  const [action, name, extra] = args;
  const paths = dataPaths(dataDir);
  const accounts = new Accounts(await SettingsStore.open(paths.settings));
  if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}".`);
  if (action === 'list') {
    const list = accounts.list();
    if (list.length === 0)
      console.log('No accounts yet: add one with `mailport account add NAME`.');
    for (const account of list) console.log(`${account.name}\t${account.maildir}`);
    return 0;
  }
  if (!name) throw new UsageError(`account ${action ?? ''}: NAME is missing.`);
  const password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
  checkChosenPassword(password);
  switch (action) {
    case 'add': {
      const result = await addAccount(
        accounts,
        { home: homedir(), dataDir: paths.dataDir },
        {
          name,
          ...(options.maildir !== undefined && { maildir: options.maildir }),
          ...(password !== undefined && { password }),
          allowAnyPath: options.allowAnyPath ?? false,
        },
      ).catch((err: unknown) => {
        if (err instanceof AccountError && err.code === 'OUTSIDE_HOME')
          throw new AccountError(err.code, `${err.message} To use it, add --allow-any-path.`);
        throw err;
      });
      // The command line creates a missing folder (scripts rely on it) and says so plainly.
      if (result.createdFolder)
        console.log(`Created the folder ${result.account.maildir} (it did not exist).`);
      console.log(`Added account "${result.account.name}" serving ${result.account.maildir}.`);
      if (!password) printGenerated(result.password);
      return 0;
    }
    case 'remove':
      await accounts.remove(name);
      console.log(`Removed account "${name}". Its mail was not touched.`);
      return 0;
    case 'passwd': {
      const secret = await accounts.setPassword(name, password);
      console.log(`Changed the password of "${name}".`);
      if (!password) printGenerated(secret);
      return 0;
    }
    default:
      throw new UsageError(`Unknown account action "${action ?? ''}".`);
  }
}

export function printGenerated(password: string): void {
  console.log(`Password: ${password}`);
  console.log('It is shown only this once: write it down or enter it on your phone now.');
}
