/**
 * Where a new account's Maildir may be. Adding an account creates `cur/ new/ tmp/` in its
 * folder, so the folder must be empty, new, or already a Maildir (a typo or a wrong choice in the
 * folder picker must not scatter Maildir folders into `/etc` or a project folder), and it must be
 * under the user's home or Mailport's data dir unless the caller confirms the place.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AccountError } from './accounts.js';

export interface MaildirPlaces {
  /** The user's home folder. */
  readonly home: string;
  /** Mailport's data dir (new Maildirs go to `<data dir>/mail/<account>` by default). */
  readonly dataDir: string;
}

/** What is at a Maildir's place now: nothing yet, an empty folder, or a Maildir. */
export type MaildirPlace = 'missing' | 'empty' | 'maildir';

/**
 * Throws an AccountError saying what to do when `path` may not become an account's Maildir;
 * otherwise says what is there now.
 */
export async function checkNewMaildir(
  path: string,
  places: MaildirPlaces,
  allowAnyPath = false,
): Promise<MaildirPlace> {
  const target = await realLocation(resolve(path));
  if (!allowAnyPath) {
    const allowed = [await realLocation(places.home), await realLocation(places.dataDir)];
    if (!allowed.some((root) => isInside(target, root))) {
      throw new AccountError(
        'OUTSIDE_HOME',
        `The folder "${path}" is outside your home folder (${places.home}) and Mailport's ` +
          'folder. Choose a folder in your home, or confirm that you mean this one.',
      );
    }
  }
  const entries = await readdir(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    if (err.code === 'ENOTDIR')
      throw new AccountError('NOT_MAILDIR', `"${path}" is a file, not a folder: choose a folder.`);
    throw new AccountError('INVALID', `The folder "${path}" cannot be read (${err.code}).`);
  });
  if (entries === undefined) return 'missing';
  if (entries.length === 0) return 'empty';
  if (await isMaildir(target)) return 'maildir';
  throw new AccountError(
    'NOT_MAILDIR',
    `The folder "${path}" already holds other files and is not a Maildir (it has no cur, new ` +
      'and tmp folders). Choose an existing Maildir, an empty folder, or a new folder name.',
  );
}

/** The path with every symbolic link in its existing part resolved (a link cannot lead out). */
async function realLocation(path: string): Promise<string> {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.push(basename(existing));
      existing = parent;
    }
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function isMaildir(path: string): Promise<boolean> {
  for (const sub of ['cur', 'new', 'tmp']) {
    const info = await stat(join(path, sub)).catch(() => undefined);
    if (!info?.isDirectory()) return false;
  }
  return true;
}
