/**
 * The Maildir backend of the store interface: INBOX at the root, other folders in Maildir++
 * layout. Folders are shared between every session of this process that opens them.
 */
import { mkdir, readdir, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StoreError, storeErrorFromFs } from '../errors.js';
import { isInbox, mailboxNameFromFolder, maildirFolderName } from '../mailbox-name.js';
import { toCrlf } from '../crlf.js';
import type { Mailbox, MailboxListEntry, MailStore } from '../types.js';
import { syncDirectory } from '../../util/atomic-file.js';
import { maildirHostname } from './dotlock.js';
import { MaildirFolder } from './folder.js';

/** Files left in tmp/ longer than this are abandoned deliveries (the Maildir spec says 36 h). */
const TMP_MAX_AGE_MS = 36 * 3600_000;

const openFolders = new Map<string, { folder: MaildirFolder; refs: number }>();
const lockedMaildrops = new Set<string>();
let deliveryCounter = 0;

export class MaildirStore implements MailStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Creates the root Maildir (INBOX) if it is not there yet. */
  async ensure(): Promise<void> {
    await makeMaildir(this.root);
  }

  async listMailboxes(): Promise<MailboxListEntry[]> {
    const entries: MailboxListEntry[] = [{ name: 'INBOX' }];
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (err) {
      throw storeErrorFromFs(err, 'Maildir');
    }
    for (const folder of names.sort()) {
      const name = mailboxNameFromFolder(folder);
      if (name !== undefined && (await isMaildir(join(this.root, folder)))) entries.push({ name });
    }
    return entries;
  }

  async openMailbox(name: string): Promise<Mailbox> {
    const path = this.#pathOf(name);
    if (!(await isMaildir(path)))
      throw new StoreError('NOT_FOUND', `Mailbox "${name}" does not exist`);
    await cleanTmp(path);
    let shared = openFolders.get(path);
    if (!shared) {
      shared = { folder: new MaildirFolder(path, isInbox(name) ? 'INBOX' : name), refs: 0 };
      openFolders.set(path, shared);
    }
    shared.refs += 1;
    return new FolderHandle(path, shared.folder);
  }

  async createMailbox(name: string): Promise<void> {
    if (isInbox(name)) throw new StoreError('EXISTS', 'INBOX always exists');
    const path = this.#pathOf(name);
    if (await isMaildir(path)) throw new StoreError('EXISTS', `Mailbox "${name}" already exists`);
    await makeMaildir(path);
    await writeFile(join(path, 'maildirfolder'), '');
  }

  async deliver(name: string, message: Buffer): Promise<void> {
    const path = this.#pathOf(name);
    if (!(await isMaildir(path)))
      throw new StoreError('NOT_FOUND', `Mailbox "${name}" does not exist`);
    await deliverFile(path, message);
  }

  lockMaildrop(): () => void {
    if (lockedMaildrops.has(this.root)) {
      throw new StoreError('IN_USE', 'Another POP3 session has this mailbox open');
    }
    lockedMaildrops.add(this.root);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lockedMaildrops.delete(this.root);
    };
  }

  #pathOf(name: string): string {
    return join(this.root, maildirFolderName(name));
  }
}

class FolderHandle implements Mailbox {
  readonly #path: string;
  readonly #folder: MaildirFolder;
  readonly #unwatch = new Set<() => void>();
  #closed = false;

  constructor(path: string, folder: MaildirFolder) {
    this.#path = path;
    this.#folder = folder;
  }

  get name(): string {
    return this.#folder.name;
  }

  sync = () => this.#folder.sync();
  openMessage = (uid: number) => this.#folder.openMessage(uid);
  updateFlags: Mailbox['updateFlags'] = (uid, mode, flags) =>
    this.#folder.updateFlags(uid, mode, flags);
  expunge = (uids: Iterable<number>) => this.#folder.expunge(uids);

  watch(listener: Parameters<Mailbox['watch']>[0]): () => void {
    const stop = this.#folder.watch(listener);
    this.#unwatch.add(stop);
    return () => {
      this.#unwatch.delete(stop);
      stop();
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of this.#unwatch) stop();
    const shared = openFolders.get(this.#path);
    if (shared && --shared.refs === 0) {
      openFolders.delete(this.#path);
      shared.folder.close();
    }
  }
}

async function isMaildir(path: string): Promise<boolean> {
  try {
    return (await stat(join(path, 'cur'))).isDirectory();
  } catch {
    return false;
  }
}

async function makeMaildir(path: string): Promise<void> {
  try {
    for (const sub of ['cur', 'new', 'tmp'])
      await mkdir(join(path, sub), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw storeErrorFromFs(err, path);
  }
}

/** Deletes abandoned files in tmp/ (the Maildir spec's 36-hour rule). */
async function cleanTmp(path: string): Promise<void> {
  const tmp = join(path, 'tmp');
  let names: string[];
  try {
    names = await readdir(tmp);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    try {
      const info = await stat(join(tmp, name));
      if (info.isFile() && now - info.mtimeMs > TMP_MAX_AGE_MS) await rm(join(tmp, name));
    } catch {
      // vanished or not ours to delete
    }
  }
}

/** A unique Maildir base name: `<sec>.M<usec>P<pid>Q<n>.<host>,S=<size>,W=<wire size>`. */
export function uniqueBaseName(fileSize: number, wireSize: number, now = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  const micros = (now % 1000) * 1000 + Math.floor(Math.random() * 1000);
  deliveryCounter += 1;
  return `${seconds}.M${micros}P${process.pid}Q${deliveryCounter}.${maildirHostname()},S=${fileSize},W=${wireSize}`;
}

/** tmp/ → fsync → new/, as a delivery agent writes. Returns the base name. */
export async function deliverFile(folderPath: string, message: Buffer): Promise<string> {
  const base = uniqueBaseName(message.length, toCrlf(message).length);
  const temp = join(folderPath, 'tmp', base);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(message);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(folderPath, 'new', base));
    await syncDirectory(join(folderPath, 'new'));
    return base;
  } catch (err) {
    await rm(temp, { force: true });
    throw storeErrorFromFs(err, 'delivery');
  }
}
