/**
 * The Maildir backend of the store interface: INBOX at the root, other folders in Maildir++
 * layout. Folders are shared between every session of this process that opens them.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError, storeErrorFromFs } from '../errors.js';
import {
  HIERARCHY_SEPARATOR,
  isInbox,
  mailboxNameFromFolder,
  maildirFolderName,
} from '../mailbox-name.js';
import type {
  BackgroundIndexer,
  Mailbox,
  MailboxCounts,
  MailboxListEntry,
  MailStore,
} from '../types.js';
import { FolderTextIndex, type TextIndexBuilt } from '../fulltext/folder-text-index.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { Mutex } from '../../util/mutex.js';
import { deliverFile } from './delivery.js';
import { DotLock } from './dotlock.js';
import { MaildirFolder, UIDLIST_FILE } from './folder.js';
import {
  formatSubscriptions,
  parseSubscriptions,
  subscriptionLine,
  type SubscriptionEntry,
} from './subscriptions.js';

/** Files left in tmp/ longer than this are abandoned deliveries (the Maildir spec says 36 h). */
const TMP_MAX_AGE_MS = 36 * 3600_000;
/**
 * How often one folder's tmp/ is looked through for them (Dovecot scans every 8 hours too):
 * not on every SELECT, which would list tmp/ each time a phone opens the folder.
 */
const TMP_CLEAN_INTERVAL_MS = 8 * 3600_000;
/** Folder path → when its tmp/ was last looked through (this process). */
const tmpCleanedAt = new Map<string, number>();
const SUBSCRIPTIONS_FILE = 'subscriptions';
/** PATH_MAX (4096 with its NUL on Linux) less room for `/cur/<message file name>` inside. */
const MAX_FOLDER_PATH_BYTES = 4095 - 256;

interface SharedFolder {
  readonly folder: MaildirFolder;
  /** Its full-text index, made by the first store opening it with the option. */
  text?: FolderTextIndex;
  refs: number;
}

const openFolders = new Map<string, SharedFolder>();
/**
 * Folders whose last handle closed and whose state files are being written. An open waits for
 * that: a new folder object reading `mailport-modseq` before the closing one's final write
 * would start at the reserve ceiling, and HIGHESTMODSEQ would jump on an unchanged folder.
 */
const closingFolders = new Map<string, Promise<void>>();
const lockedMaildrops = new Set<string>();
/**
 * CREATE, DELETE and RENAME of one Maildir's folders, one at a time in this process: two
 * sessions creating and deleting the same name at once would otherwise make folders half-way
 * (a `cur/` with no `maildirfolder`, mkdir failing inside a folder being renamed away).
 */
const namespaceLocks = new Map<string, Mutex>();

function namespaceLock(root: string): Mutex {
  let lock = namespaceLocks.get(root);
  if (!lock) namespaceLocks.set(root, (lock = new Mutex()));
  return lock;
}

/** A folder on disk that no client can see, and why (the service logs it once). */
export interface SkippedFolder {
  readonly dir: string;
  readonly reason: string;
}

export interface MaildirStoreOptions {
  /** Told about each folder left out of LIST; called on every listing that skips it. */
  readonly onSkippedFolder?: (folder: SkippedFolder) => void;
  /** Parses messages on other threads (FETCH's `prepare`, the service's background pass). */
  readonly indexer?: BackgroundIndexer;
  /** The full-text index for SEARCH TEXT/BODY (issue 16); none without it. */
  readonly fullText?: FullTextOptions;
}

export interface FullTextOptions {
  /** Where the folders' segment directories live (in the data dir: disposable). */
  readonly dir: string;
  readonly onBuilt?: (built: TextIndexBuilt) => void;
}

export class MaildirStore implements MailStore {
  readonly root: string;
  readonly #onSkipped: ((folder: SkippedFolder) => void) | undefined;
  readonly #indexer: BackgroundIndexer | undefined;
  readonly #fullText: FullTextOptions | undefined;

  constructor(root: string, options: MaildirStoreOptions = {}) {
    this.root = resolve(root);
    this.#onSkipped = options.onSkippedFolder;
    this.#indexer = options.indexer;
    this.#fullText = options.fullText;
  }

  /** Creates the root Maildir (INBOX) if it is not there yet. */
  async ensure(): Promise<void> {
    await makeMaildir(this.root);
  }

  async listMailboxes(): Promise<MailboxListEntry[]> {
    const folders = await this.#folders();
    return [{ name: 'INBOX' }, ...folders.map(({ name }) => ({ name }))];
  }

  /**
   * Every folder that is a Maildir, by Unicode name. Two folders that read as one name (`.Büro`
   * beside `.B&APw-ro`) show once, as the modified UTF-7 one.
   */
  async #folders(): Promise<{ name: string; dir: string }[]> {
    let dirs: string[];
    try {
      dirs = await readdir(this.root);
    } catch (err) {
      throw storeErrorFromFs(err, 'Maildir');
    }
    const byName = new Map<string, string>();
    const skip = (dir: string, reason: string): void => this.#onSkipped?.({ dir, reason });
    for (const dir of dirs.sort()) {
      if (!dir.startsWith('.') || dir === '.' || dir === '..') continue;
      // Bytes that are not UTF-8 come back from readdir as U+FFFD: no path reaches that folder.
      if (dir.includes('\ufffd')) {
        skip(dir, 'its name is not UTF-8 (rename it to UTF-8 to have it served)');
        continue;
      }
      const name = mailboxNameFromFolder(dir);
      if (!(await isMaildir(join(this.root, dir)))) continue;
      if (name === undefined) {
        skip(dir, 'its name is neither modified UTF-7 nor UTF-8, or has control characters');
        continue;
      }
      const canonical = safeFolderName(name);
      if (canonical === undefined) {
        skip(dir, `"${name}" is not a name Mailport can serve`);
        continue;
      }
      const other = byName.get(name);
      if (other === undefined || dir === canonical) byName.set(name, dir);
      if (other !== undefined) {
        const hidden = dir === canonical ? other : dir;
        skip(
          hidden,
          `it reads as "${name}", like ${hidden === dir ? other : dir}, which is served`,
        );
      }
    }
    return [...byName].map(([name, dir]) => ({ name, dir }));
  }

  /**
   * The folder on disk for a name: its modified UTF-7 form, else a folder another program
   * wrote in UTF-8 that reads as the same name, else (to be created) the modified UTF-7 form.
   */
  async #locate(name: string): Promise<string> {
    const canonical = this.#pathOf(name);
    if (isInbox(name) || (await isMaildir(canonical))) return canonical;
    const found = (await this.#folders()).find((f) => f.name === name);
    return found ? join(this.root, found.dir) : canonical;
  }

  /**
   * `background`: the service's own handle (the new-mail watcher, indexing), which does not
   * keep the folder's cache in memory the way a session's handle does.
   */
  async openMailbox(name: string, options: { background?: boolean } = {}): Promise<MaildirMailbox> {
    const path = await this.#locate(name);
    if (!(await isMaildir(path)))
      throw new StoreError('NOT_FOUND', `Mailbox "${name}" does not exist`);
    const now = Date.now();
    if (now - (tmpCleanedAt.get(path) ?? -Infinity) >= TMP_CLEAN_INTERVAL_MS) {
      tmpCleanedAt.set(path, now);
      await cleanTmp(path);
    }
    for (let closing; (closing = closingFolders.get(path));) await closing.catch(() => undefined);
    let shared = openFolders.get(path);
    if (!shared) {
      shared = { folder: new MaildirFolder(path, isInbox(name) ? 'INBOX' : name), refs: 0 };
      openFolders.set(path, shared);
    }
    shared.refs += 1;
    if (this.#indexer) shared.folder.useIndexer(this.#indexer);
    shared.text ??= this.#textIndexOf(path, shared.folder);
    return new FolderHandle(this, path, shared, options.background ?? false);
  }

  /** The folder's full-text index, in a directory named after the folder's path. */
  #textIndexOf(path: string, folder: MaildirFolder): FolderTextIndex | undefined {
    if (!this.#fullText) return undefined;
    const indexer = this.#indexer;
    return new FolderTextIndex({
      mailbox: folder.name,
      dir: join(this.#fullText.dir, createHash('sha256').update(path).digest('hex').slice(0, 32)),
      paths: (uids) => folder.filePaths(uids),
      behind: () => indexer?.busy === true,
      onBuilt: this.#fullText.onBuilt,
    });
  }

  createMailbox(name: string): Promise<void> {
    return namespaceLock(this.root).run(() => this.#createMailbox(name));
  }

  async #createMailbox(name: string): Promise<void> {
    if (isInbox(name)) throw new StoreError('EXISTS', 'INBOX always exists');
    const path = await this.#locate(name);
    if (await isMaildir(path)) throw new StoreError('EXISTS', `Mailbox "${name}" already exists`);
    await makeFolder(path, `creating "${name}"`);
  }

  async deliver(name: string, message: Buffer): Promise<void> {
    const path = await this.#locate(name);
    if (!(await isMaildir(path)))
      throw new StoreError('NOT_FOUND', `Mailbox "${name}" does not exist`);
    await deliverFile(path, message);
  }

  deleteMailbox(name: string): Promise<void> {
    return namespaceLock(this.root).run(() => this.#deleteMailbox(name));
  }

  async #deleteMailbox(name: string): Promise<void> {
    if (isInbox(name)) throw new StoreError('PERM', 'INBOX cannot be deleted');
    const path = await this.#locate(name);
    if (!(await isMaildir(path)))
      throw new StoreError('NOT_FOUND', `Mailbox "${name}" does not exist`);
    // Renamed out of sight first, so a crash never leaves a half-deleted mailbox in the list.
    // Children (`.Name.Child`) are separate folders and stay (RFC 3501 §6.3.4).
    const trash = join(this.root, `..mailport-deleted-${randomBytes(6).toString('hex')}`);
    try {
      await rename(path, trash);
    } catch (err) {
      throw storeErrorFromFs(err, `deleting "${name}"`);
    }
    await rm(trash, { recursive: true, force: true });
  }

  /**
   * Renames a mailbox and its children. A name that exists only through its children (LIST's
   * \Noselect parent) renames them, as Dovecot does (RFC 3501 §6.3.5).
   */
  renameMailbox(from: string, to: string): Promise<void> {
    return namespaceLock(this.root).run(() => this.#renameMailbox(from, to));
  }

  async #renameMailbox(from: string, to: string): Promise<void> {
    if (isInbox(to)) throw new StoreError('EXISTS', 'INBOX always exists');
    const fromPrefix = `${from}${HIERARCHY_SEPARATOR}`;
    if (to.startsWith(fromPrefix))
      throw new StoreError('INVALID_NAME', 'A mailbox cannot be moved under itself');
    const source = await this.#locate(from);
    const target = this.#pathOf(to);
    if (await isMaildir(await this.#locate(to)))
      throw new StoreError('EXISTS', `Mailbox "${to}" already exists`);
    const selectable = await isMaildir(source);
    if (isInbox(from)) {
      await this.#moveInboxMessages(target);
      return;
    }
    const children = (await this.#folders())
      .filter((f) => f.name.startsWith(fromPrefix))
      .map((f) => ({ from: join(this.root, f.dir), to: `${to}${f.name.slice(from.length)}` }));
    if (!selectable && children.length === 0)
      throw new StoreError('NOT_FOUND', `Mailbox "${from}" does not exist`);
    // Every new name is checked before anything moves, so a refusal leaves nothing half-renamed
    // (`B/x` existing when `A` with `A/x` becomes `B`; RFC 3501 §6.3.5).
    for (const child of children)
      if (await exists(this.#pathOf(child.to)))
        throw new StoreError('EXISTS', `Mailbox "${child.to}" already exists`);
    try {
      if (selectable) await rename(source, target);
      for (const child of children) await rename(child.from, this.#pathOf(child.to));
    } catch (err) {
      throw storeErrorFromFs(err, `renaming "${from}"`);
    }
  }

  /**
   * RFC 3501 §6.3.5: renaming INBOX moves its messages to the new name; INBOX stays, empty.
   * The move holds INBOX's uidlist lock, which a writer holds from writing a message file until
   * it has its UID: a message being appended is moved whole with its UID, or lands in the
   * emptied INBOX, and never disappears between the two (the fuzzer's "a new message vanished").
   */
  async #moveInboxMessages(target: string): Promise<void> {
    await makeFolder(target, 'renaming INBOX');
    const lock = await DotLock.acquire(join(this.root, UIDLIST_FILE));
    try {
      for (const sub of ['new', 'cur']) {
        for (const file of await readdir(join(this.root, sub))) {
          if (file.startsWith('.')) continue;
          await rename(join(this.root, sub, file), join(target, sub, file)).catch(() => undefined);
        }
      }
    } finally {
      await lock.release();
    }
  }

  async counts(name: string): Promise<MailboxCounts> {
    const mailbox = await this.openMailbox(name);
    try {
      const status = await mailbox.sync({ claimRecent: false });
      let unseen = 0;
      let deleted = 0;
      let size = 0;
      for (const m of status.messages) {
        if (!m.flags.has('\\Seen')) unseen += 1;
        if (m.flags.has('\\Deleted')) deleted += 1;
        size += m.size;
      }
      return {
        messages: status.messages.length,
        recent: status.recent.length,
        unseen,
        uidNext: status.uidNext,
        uidValidity: status.uidValidity,
        size,
        highestModseq: status.highestModseq,
        deleted,
      };
    } finally {
      await mailbox.close();
    }
  }

  /** Subscriptions in the Maildir's `subscriptions` file, as Dovecot 2.3 keeps it. */
  async subscriptions(): Promise<string[]> {
    const names = (await this.#readSubscriptions()).map((e) => e.name);
    return names.filter((n): n is string => n !== undefined);
  }

  async setSubscribed(name: string, subscribed: boolean): Promise<void> {
    if (!isInbox(name)) maildirFolderName(name); // validates
    const current = await this.#readSubscriptions();
    const rest = current.filter((e) => e.name !== name);
    const next = subscribed ? [...rest, { line: subscriptionLine(name), name }] : rest;
    if (next.length === current.length && subscribed === current.some((e) => e.name === name))
      return;
    await writeFileAtomic(join(this.root, SUBSCRIPTIONS_FILE), formatSubscriptions(next));
  }

  async #readSubscriptions(): Promise<SubscriptionEntry[]> {
    try {
      return parseSubscriptions(await readFile(join(this.root, SUBSCRIPTIONS_FILE), 'utf8'));
    } catch {
      return [];
    }
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
    const path = join(this.root, maildirFolderName(name));
    if (Buffer.byteLength(path) > MAX_FOLDER_PATH_BYTES)
      throw new StoreError('INVALID_NAME', "Mailbox name is too long for this Maildir's location");
    return path;
  }
}

/** The modified UTF-7 folder of a name, or undefined when Maildir++ cannot hold the name. */
function safeFolderName(name: string): string | undefined {
  try {
    return maildirFolderName(name);
  } catch {
    return undefined;
  }
}

/** A Maildir folder as a `Mailbox`, plus what only the service asks of it. */
export interface MaildirMailbox extends Mailbox {
  /** Learns the indexer's facts for each message not indexed yet (see MaildirFolder.index). */
  index(
    indexer: BackgroundIndexer,
    onProgress?: (done: number, total: number) => void,
  ): Promise<number>;
}

class FolderHandle implements MaildirMailbox {
  readonly #store: MaildirStore;
  readonly #path: string;
  readonly #folder: MaildirFolder;
  readonly #shared: SharedFolder;
  readonly #background: boolean;
  readonly #unwatch = new Set<() => void>();
  #closed = false;

  constructor(store: MaildirStore, path: string, shared: SharedFolder, background: boolean) {
    this.#store = store;
    this.#path = path;
    this.#folder = shared.folder;
    this.#shared = shared;
    this.#background = background;
    if (!background) this.#folder.activate();
  }

  index: MaildirMailbox['index'] = (indexer, onProgress) => this.#folder.index(indexer, onProgress);

  get name(): string {
    return this.#folder.name;
  }

  sync: Mailbox['sync'] = async (options) => {
    const status = await this.#folder.sync(options);
    this.#shared.text?.update(status); // new messages are indexed in the background
    return status;
  };
  textFilter: Mailbox['textFilter'] = (needle, scope) =>
    this.#shared.text?.filter(needle, scope) ?? Promise.resolve(undefined);
  openMessage: Mailbox['openMessage'] = (uid, range) => this.#folder.openMessage(uid, range);
  readMessage = (uid: number) => this.#folder.readMessage(uid);
  readHeader = (uid: number) => this.#folder.readHeader(uid);
  readMessageWire = (uid: number) => this.#folder.readMessageWire(uid);
  append: Mailbox['append'] = (message, options) => this.#folder.append(message, options);
  appendAll: Mailbox['appendAll'] = (messages) => this.#folder.appendAll(messages);
  cached: Mailbox['cached'] = (uid, key, compute) => this.#folder.cached(uid, key, compute);
  cachedAll: Mailbox['cachedAll'] = (uid, key, compute) =>
    this.#folder.cachedAll(uid, key, compute);
  prepare: Mailbox['prepare'] = (uids, keys) => this.#folder.prepare(uids, keys);
  peekCached: Mailbox['peekCached'] = (uid, key) => this.#folder.peekCached(uid, key);
  matchFiles: Mailbox['matchFiles'] = (uids, task) => this.#folder.matchFiles(uids, task);

  async copyTo(uids: readonly number[], target: string): Promise<[number, number][]> {
    const sources = this.#folder.sources(uids);
    const destination = await this.#store.openMailbox(target);
    try {
      const created = await (destination as FolderHandle).#folder.receive(sources);
      return sources.map((s, i) => [s.uid, created[i]!]);
    } finally {
      await destination.close();
    }
  }
  updateFlags: Mailbox['updateFlags'] = (uid, mode, flags) =>
    this.#folder.updateFlags(uid, mode, flags);
  updateFlagsUnchangedSince: Mailbox['updateFlagsUnchangedSince'] = (uid, modseq, mode, flags) =>
    this.#folder.updateFlagsUnchangedSince(uid, modseq, mode, flags);
  updateFlagsMany: Mailbox['updateFlagsMany'] = (uids, mode, flags, unchangedSince) =>
    this.#folder.updateFlagsMany(uids, mode, flags, unchangedSince);
  expunge = (uids: Iterable<number>) => this.#folder.expunge(uids);
  expungedSince = (modseq: number) => this.#folder.expungedSince(modseq);

  watch(listener: Parameters<Mailbox['watch']>[0]): () => void {
    // A view still opening when its session ended (the handle closed meanwhile) must not
    // start watching a folder that nobody will close again.
    if (this.#closed) return () => undefined;
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
    if (!this.#background) this.#folder.deactivate();
    const shared = openFolders.get(this.#path);
    if (shared && --shared.refs === 0) {
      openFolders.delete(this.#path);
      shared.text?.close();
      const closing = shared.folder.close();
      closingFolders.set(this.#path, closing);
      try {
        await closing;
      } finally {
        if (closingFolders.get(this.#path) === closing) closingFolders.delete(this.#path);
      }
    }
  }
}

/** One stat of a directory, done at once (every SELECT asks): no thread-pool round trip. */
function isMaildir(path: string): Promise<boolean> {
  try {
    return Promise.resolve(statSync(join(path, 'cur')).isDirectory());
  } catch {
    return Promise.resolve(false);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function makeMaildir(path: string): Promise<void> {
  try {
    for (const sub of ['cur', 'new', 'tmp'])
      await mkdir(join(path, sub), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw storeErrorFromFs(err, path);
  }
}

/**
 * A Maildir++ folder: the Maildir and its `maildirfolder` marker. ENOENT on the marker means
 * another session deleted (renamed away) the new folder at that moment: NOT_FOUND, not a bug.
 */
async function makeFolder(path: string, what: string): Promise<void> {
  await makeMaildir(path);
  try {
    await writeFile(join(path, 'maildirfolder'), '');
  } catch (err) {
    throw storeErrorFromFs(err, what);
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
