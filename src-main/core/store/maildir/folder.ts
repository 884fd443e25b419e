/**
 * One Maildir folder (`cur/`, `new/`, `tmp/`), shared by every session in this process that
 * opens it. It owns the mapping base name ↔ UID (persisted in `dovecot-uidlist`), the flags
 * (in file names), and the list of files as last seen. All changes run one at a time.
 */
import {
  createReadStream,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  watch,
  type FSWatcher,
  type Stats,
} from 'node:fs';
import { open, readdir, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { StoreError, storeErrorFromFs } from '../errors.js';
import type {
  AppendOptions,
  BackgroundIndexer,
  FileMatches,
  FileTask,
  IndexedFile,
  NewMessage,
  FlagOutcome,
  FlagUpdate,
  MailboxChange,
  MessageRecord,
  SyncOptions,
  SyncResult,
  WireBytes,
} from '../types.js';
import { copyAsCrlf, CrlfTransform, crlfLength, toCrlf, WireSizeCounter } from '../crlf.js';
import { simdCrlf } from '../crlf-simd.js';
import { CrlfFileStream, wireRange, WireMarks, type WireRange } from './crlf-file-stream.js';
import { convertToWire, takeWireMemory } from '../wire-memory.js';
import { writeMessageFile, type NewFile } from './delivery.js';
import { Mutex } from '../../util/mutex.js';
import { collectSoon } from '../../util/idle-memory.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { DotLock } from './dotlock.js';
import {
  arrivalKey,
  baseOf,
  formatName,
  lettersOf,
  lettersToFlags,
  parseName,
  systemFlagLetter,
} from './filename.js';
import { formatKeywords, keywordLetter, MAX_KEYWORDS, parseKeywords } from './keywords.js';
import { formatUidList, type UidList, type UidRecord } from './uidlist.js';
import {
  mergeUidLists,
  readUidListFile,
  stampOf,
  uidListStampNow,
  type UidListOnDisk,
} from './uidlist-file.js';
import { nextUidValidity } from './uidvalidity.js';
import { CACHE_FILE, SizeCache } from './size-cache.js';
import { FolderListing, type Listed, type ListingChanges, type Subdir } from './listing.js';
import { MODSEQ_FILE, ModseqFile } from './modseq-file.js';
import { readKnownSize, readSmallFileShared, readStartShared, SYNC_READ_MAX } from './read-file.js';
import { matchFiles } from './match-files.js';

export const UIDLIST_FILE = 'dovecot-uidlist';
export const KEYWORDS_FILE = 'dovecot-keywords';
const WATCH_DEBOUNCE_MS = 30;
/** Files stated between two turns of the event loop on a first sync. */
const STAT_SLICE = 2000;
/** Files read at a time to count their CRLF size (those without W= in the name). */
const COUNT_CONCURRENCY = 16;
/** Progress is reported every this many files on a first sync. */
const PROGRESS_EVERY = 250;
/**
 * A directory listing is trusted to stay valid while the directory's mtime does not move only
 * if that mtime was at least this old when it was listed: a change in the same clock tick as
 * an earlier one leaves the mtime as it was (Dovecot's maildir sync follows the same rule).
 */
const STABLE_MTIME_MS = 2000;
/**
 * Listings of new/ and cur/ made again when a file the folder knows is missing from one: a
 * readdir() of a large directory takes several system calls, and a file renamed meanwhile
 * (another program changing its flags) can be missed by all of them. A file is gone only when
 * it is missing from every listing.
 */
const RESCANS = 2;
/**
 * How old a directory's mtime must be, on a file system with sub-second times, for an
 * unchanged mtime after a listing to prove nothing moved during it: above the coarse kernel
 * clock tick (at most 10 ms) that stamps directory changes, with a margin; below the watcher's
 * quiet period (WATCH_DEBOUNCE_MS), so the sync a change starts can trust its listing and later
 * syncs skip theirs. With whole-second times (ext3,
 * HFS+, some network file systems) STABLE_MTIME_MS applies instead.
 */
const QUIET_LISTING_MS = 25;
/**
 * Tries at opening, reading, renaming or deleting a message file that another program keeps
 * renaming (each failed try finds its new name first).
 */
const RENAME_ATTEMPTS = 4;
/**
 * How long after the folder's own renames (STORE, new/ to cur/) syncs may take its listing as
 * exact without reading new/ and cur/ again, unless the watcher fired meanwhile: another
 * program's change during the renames leaves the same mtimes behind, so the first sync after
 * the watcher's quiet period (or after this long, where nothing watches) lists once. Dovecot
 * likewise takes its own renames' mtime and checks the directory again a second later.
 */
const OWN_CHANGES_TRUST_MS = 1000;
/**
 * Flag changes of at least this many messages at once, and at least an eighth of the folder's,
 * stop the watcher meanwhile (`#pauseWatching`): fewer renames cost fewer events (about 1.6 µs
 * each) than watching again costs (about 0.12 µs per file in the directory, Linux 6.x).
 */
const PAUSE_WATCH_MIN_MESSAGES = 64;
const PAUSE_WATCH_FOLDER_SHARE = 8;
/**
 * Messages whose flags change under one hold of the folder's lock (one shared MODSEQ each): a
 * STORE on 100,000 messages does not keep other sessions waiting for the whole of it.
 */
const FLAG_BATCH_MESSAGES = 1_000;
/** The uidlist is rewritten for removals alone once their records are this share of it. */
const UIDLIST_STALE_SHARE = 0.25;
/** Bytes read from the start of a file to find its header. */
const HEADER_READ = 16 * 1024;
/** Large messages are streamed in reads of this size (fewer trips to the thread pool). */
const STREAM_CHUNK_BYTES = 1024 * 1024;
/** Large messages whose chunk starts are remembered, for a client fetching them in pieces. */
const WIRE_MARKS_KEPT = 64;
/** Parsed facts are written to the cache at most this often. */
const CACHE_SAVE_DELAY_MS = 2000;
/** ...and at least this many times as long as the last write took. */
const SAVE_WAIT_PER_SAVE_MS = 20;
/** Messages handed to the background indexer in one piece (one thread round trip). */
const INDEX_BATCH = 64;
/**
 * A folder no session has open drops its cache from memory after this long (written first;
 * read back at the next SELECT), so an idle server returns near its start size.
 */
const IDLE_RELEASE_MS = 2000;

/** Folders of this process that some session has open (an idle server has none). */
let activeFolders = 0;

/** What a stat of the file (with the name or the cache) tells about a message. */
interface Facts {
  readonly fileSize: number;
  readonly wireSize: number;
  readonly mtimeMs: number;
}

interface Entry {
  readonly uid: number;
  readonly base: string;
  dir: Subdir;
  fileName: string;
  /** `fileName`'s flag letters (`lettersOf`), kept with it: one string per change, not per use. */
  letters: string;
  /**
   * Known once the file was looked at. Files named with their sizes (`,S=…,W=…`, as Dovecot
   * and most delivery agents write them) are not looked at until a size or date is asked
   * for, so a first SELECT of a large folder costs a directory listing, not a stat per file.
   */
  facts?: Facts;
  /** CONDSTORE's MODSEQ (RFC 7162 §3.1): changes with the flag letters. */
  modseq: number;
  /** Built on first need and shared by every caller until the flags change. */
  record?: MessageRecord;
}

export class MaildirFolder {
  readonly path: string;
  readonly name: string;
  /** The Maildir's root, where UIDVALIDITY values are taken (`uidvalidity.ts`). */
  readonly #root: string;
  #uidList: UidList | undefined;
  /** The uidlist file as last read or written here (`UidListOnDisk.stamp`). */
  #uidListStamp: string | undefined;
  /**
   * The highest UID ever shown under this UIDVALIDITY. A message is only ever added above it:
   * a file that comes back with an older UID (missed by a listing, dropped, found again) gets
   * a new one, so no session sees a message appear below one it knows (RFC 3501 §2.3.1.1).
   */
  #highest = 0;
  /** cur/'s inode: another one means the folder was deleted and created again. */
  #folderIno: number | undefined;
  readonly #entries = new Map<number, Entry>();
  #uidByBase = new Map<string, number>();
  /**
   * Bases of messages that left the folder whose records the uidlist on disk may still hold.
   * As Dovecot does, the file is not rewritten for each removal: stale records are harmless
   * (a record names a file; no file, no message) and are dropped at the next write, or by a
   * rewrite once they are a quarter of the file (UIDLIST_STALE_SHARE).
   */
  readonly #forgotten = new Set<string>();
  #keywords: string[] = [];
  /** dovecot-keywords as last read (`#loadKeywords`), if it may be trusted to show a change. */
  #keywordsStamp: string | undefined;
  /** Flag sets by file-name letters: one shared, read-only set per combination. */
  readonly #flagSets = new Map<string, ReadonlySet<string>>();
  /** Chunk starts of large messages streamed lately (`crlf-file-stream.ts`), by UID. */
  readonly #wireMarks = new Map<number, WireMarks>();
  /** Every message's record in UID order, until something changes. */
  #snapshot: MessageRecord[] | undefined;
  /**
   * UIDs of the messages still in new/, ascending, until an entry is added, removed or moved
   * between new/ and cur/: a SELECT when nothing changed does not walk every message for them.
   */
  #newUids: number[] | undefined;
  /**
   * The mtimes of new/ and cur/ when they were last listed, kept only if they were already
   * older than STABLE_MTIME_MS then: while they have not moved, nothing was added, removed or
   * renamed, and the listing is skipped.
   */
  #listed: DirMtimes | undefined;
  /**
   * new/'s and cur/'s mtimes right after the folder's own renames, which began when the
   * messages were what the disk held (`#ownChangesBegin`) and which the messages follow: while
   * these mtimes stand, no watcher event came since and OWN_CHANGES_TRUST_MS has not passed,
   * the messages are taken as what the disk holds, and a sync does not list.
   */
  #own: OwnChanges | undefined;
  /** Times the watcher told listeners of a change (any event: this folder's or another's). */
  #watchFires = 0;
  /** Files this folder renamed itself, ever (to tell whether a STORE changed anything). */
  #renameCount = 0;
  /** new/ and cur/ as last listed, and what changed since (`listing.ts`). */
  readonly #listing: FolderListing;
  /** The messages are what `#listing` showed at its last refresh: its changes apply to them. */
  #listingInSync = false;
  /** Sync requests not yet started: they share the next sync. */
  #queued: SyncBatch | undefined;
  readonly #cache: SizeCache;
  /** Handles of sessions (not the service's watcher) that have the folder open. */
  #active = 0;
  #released = false;
  #releaseTimer: NodeJS.Timeout | undefined;
  /** Background index runs under way: the cache stays in memory meanwhile. */
  #indexing = 0;
  /** Set by the first `index`: FETCH's `prepare` hands messages to it. */
  #indexer: BackgroundIndexer | undefined;
  /** Messages an indexer thread is parsing, with the promise that settles when it is kept. */
  readonly #inFlight = new Map<number, Promise<void>>();
  readonly #modseqs: ModseqFile;
  readonly #mutex = new Mutex();
  readonly #listeners = new Set<(change: MailboxChange) => void>();
  #watchers: FSWatcher[] = [];
  /** Set by `close`: a closed folder is out of `openFolders`, so it must not watch again. */
  #closing = false;
  #debounce: NodeJS.Timeout | undefined;
  #lastEventAt = 0;
  /** Watching is stopped while the folder renames many files itself (`#pauseWatching`). */
  #watchPaused = false;
  #resumeWatch: NodeJS.Immediate | undefined;

  /**
   * `new/` and `cur/` with a separator after: a message's path is one concatenation, not a
   * `path.join` (which normalises: about 1 µs each, 2% of a full download's CPU).
   */
  readonly #subdirs: Readonly<Record<Subdir, string>>;

  constructor(path: string, name: string, root = name === 'INBOX' ? path : dirname(path)) {
    this.path = path;
    this.#subdirs = { new: join(path, 'new') + sep, cur: join(path, 'cur') + sep };
    this.name = name;
    this.#root = root;
    this.#cache = new SizeCache(join(path, CACHE_FILE));
    this.#modseqs = new ModseqFile(path);
    this.#listing = new FolderListing(path);
  }

  /**
   * Requests made while another sync waits or runs share the next one (a busy folder with many
   * IDLE sessions then reads its directories once per change, not once per session). Claimed
   * \Recent messages go to one caller, as if the syncs had run one after another.
   */
  sync(options: SyncOptions = {}): Promise<SyncResult> {
    const claimRecent = options.claimRecent ?? true;
    if (options.onProgress)
      return this.#mutex.run(() =>
        this.#modseqs.batch(() => this.#sync(claimRecent, options.onProgress)),
      );
    return new Promise((resolve, reject) => {
      let batch = this.#queued;
      if (!batch) {
        const fresh: SyncBatch = { claimRecent: false, waiters: [] };
        batch = this.#queued = fresh;
        void this.#mutex.run(() => this.#runBatch(fresh));
      }
      batch.claimRecent ||= claimRecent;
      batch.waiters.push({ claimRecent, resolve, reject });
    });
  }

  async #runBatch(batch: SyncBatch): Promise<void> {
    if (this.#queued === batch) this.#queued = undefined; // later requests need a later sync
    let result: SyncResult;
    try {
      result = await this.#modseqs.batch(() => this.#sync(batch.claimRecent));
    } catch (err) {
      for (const waiter of batch.waiters) waiter.reject(err);
      return;
    }
    let claimed = false;
    for (const waiter of batch.waiters) {
      if (waiter.claimRecent && batch.claimRecent && !claimed) {
        claimed = true;
        waiter.resolve(result);
      } else if (batch.claimRecent) {
        waiter.resolve({ ...result, recent: waiter.claimRecent ? [] : this.#inNew() });
      } else {
        waiter.resolve(result);
      }
    }
  }

  /**
   * `lock`: the uidlist's dotlock, already taken by a caller that wrote a file and needs its
   * UID; used (and released) here.
   */
  async #sync(
    claimRecent: boolean,
    onProgress?: (done: number, total: number) => void,
    lock?: DotLock,
  ): Promise<SyncResult> {
    // A released cache (no session had the folder open) is read back for sessions only: the
    // new-mail watcher's syncs look at new files alone.
    if (!this.#cache.loaded && (this.#active > 0 || !this.#released)) await this.#cache.load();
    this.#loadKeywords();
    const checkedAt = Date.now();
    const mtimes = this.#dirMtimes();
    if (this.#folderIno !== undefined && this.#folderIno !== mtimes.ino) this.#reset();
    this.#folderIno = mtimes.ino;
    // The uidlist is read before the folders are listed: a UID another program gave (under
    // the lock) is then for a file that the listing sees.
    const reread = await this.#rereadUidList();
    if (lock || reread || !this.#uidList || !this.#listingExact(mtimes, checkedAt)) {
      this.#listed = undefined;
      this.#own = undefined;
      const changes = await this.#refreshListing();
      const inSync = this.#listingInSync;
      this.#listingInSync = false; // until this sync has applied the listing
      if (inSync && !lock && !reread && (await this.#applyChanges(changes, mtimes, checkedAt))) {
        this.#listingInSync = true;
        if (this.#oldEnough(mtimes, checkedAt)) this.#listed = mtimes;
        return this.#finishSync(claimRecent);
      }
      const listing = new Map(this.#listing.byBase);
      const gone = await this.#recheck(listing, mtimes, checkedAt);
      const rescanned = listing.size !== this.#listing.byBase.size;
      for (const base of gone) this.#forget(base);
      if (lock || !this.#uidList || someKey(listing, (b) => this.#needsUid(b))) {
        await this.#assignUids(listing, gone, lock);
      } else if (gone.size > 0 && this.#uidListMostlyStale()) {
        // Only records to drop: worth a write once they are many, never a failed sync (a
        // busy lock, a read-only Maildir). Memory has forgotten them already.
        await this.#assignUids(listing, gone).catch(() => undefined);
      }
      if (!this.#modseqs.loaded) {
        const list = this.#uidList!;
        await this.#modseqs.load(list.uidValidity, list.nextUid === 1);
        // A file put back after its UID was expunged (by an earlier run): its stale uidlist
        // record still names it, and the history just loaded says the UID is retired.
        if (someKey(listing, (b) => this.#needsUid(b))) await this.#assignUids(listing, gone);
      }
      await this.#refreshEntries(listing, onProgress);
      this.#modseqs.settle(); // what the state file knew and the disk no longer has
      this.#cache.retain((base) => this.#uidByBase.has(base));
      if (this.#oldEnough(mtimes, checkedAt)) this.#listed = mtimes;
      // Files only a rescan found are not in #listing: its next changes would miss them.
      if (!rescanned) this.#listingInSync = true;
    }
    return this.#finishSync(claimRecent);
  }

  async #finishSync(claimRecent: boolean): Promise<SyncResult> {
    const recent = claimRecent ? await this.#claimNew() : this.#inNew();
    await this.#saveModseqs();
    if (this.#cache.dirty) this.#scheduleCacheSave(); // a cache: written soon, not waited for
    return { ...this.#status(), recent };
  }

  /**
   * Whether the messages are what new/ and cur/ hold, without reading them: their mtimes are
   * those of an earlier listing that was trusted (`#listed`), or those left by the folder's
   * own renames while they may be trusted (`#own`).
   */
  #listingExact(mtimes: DirMtimes, checkedAt: number): boolean {
    if (sameMtimes(this.#listed, mtimes)) return true;
    const own = this.#own;
    return (
      own !== undefined &&
      sameMtimes(own, mtimes) &&
      own.watchFires === this.#watchFires &&
      checkedAt - own.since < OWN_CHANGES_TRUST_MS
    );
  }

  /**
   * Before the folder renames files itself: whether it may trust its messages afterwards, i.e.
   * they are what the disk holds now (`#listingExact`, and the listing's changes apply).
   */
  #ownChangesBegin(): OwnChangesStart | undefined {
    const checkedAt = Date.now();
    if (!this.#listingInSync || !this.#listingExact(this.#dirMtimes(), checkedAt)) return undefined;
    return { since: this.#own?.since ?? checkedAt, watchFires: this.#watchFires };
  }

  /**
   * After the folder's own renames, each applied to its message: new/'s and cur/'s mtimes now
   * are the messages' as long as no one else changed anything, which a later listing checks
   * once (`#listingExact`). `trusted` false: another program's change showed meanwhile (a file
   * renamed away under us), or the messages were not known exact before; the next sync lists.
   */
  #ownChangesEnd(start: OwnChangesStart | undefined, trusted: boolean): void {
    this.#listed = undefined;
    this.#own =
      start && trusted && start.watchFires === this.#watchFires
        ? { ...this.#dirMtimes(), ...start }
        : undefined;
  }

  /** The modification times of new/ and cur/: a file added, removed or renamed changes them. */
  #dirMtimes(): DirMtimes & { ino: number } {
    try {
      // Two stats of directories: at once costs less than two thread-pool round trips, and
      // they are what a SELECT of an unchanged folder waits on.
      const fresh = statSync(join(this.path, 'new'));
      const current = statSync(join(this.path, 'cur'));
      return { new: fresh.mtimeMs, cur: current.mtimeMs, ino: current.ino };
    } catch (err) {
      throw storeErrorFromFs(err, this.name);
    }
  }

  /** Files in new/ then cur/ (that order, so a file moving new→cur is seen at least once). */
  async #list(): Promise<Map<string, Listed>> {
    const listing = new Map<string, Listed>();
    for (const dir of ['new', 'cur'] as const) {
      let names: string[];
      try {
        names = await readdir(join(this.path, dir));
      } catch (err) {
        throw storeErrorFromFs(err, `${this.name}/${dir}`);
      }
      for (const fileName of names) {
        if (fileName.startsWith('.')) continue;
        listing.set(baseOf(fileName), { dir, fileName });
      }
    }
    return listing;
  }

  /** Forgets everything about a folder deleted and created again under the same name. */
  #reset(): void {
    this.#uidList = undefined;
    this.#uidListStamp = undefined;
    this.#uidByBase = new Map();
    this.#forgotten.clear();
    this.#listing.reset();
    this.#listingInSync = false;
    this.#entries.clear();
    this.#highest = 0;
    this.#listed = undefined;
    this.#keywordsStamp = undefined;
    this.#entriesChanged();
  }

  /**
   * Adopts the uidlist when another program changed it (Dovecot, a restored backup): its UIDs
   * win, and a different UIDVALIDITY in it is taken as it is. A file being written without the
   * lock (a copy in progress) is left until it is complete; a deleted or damaged one is written
   * again from memory at the next change. Returns true when something was adopted.
   */
  async #rereadUidList(): Promise<boolean> {
    if (!this.#uidList) return false; // the first sync reads it under the lock
    const path = join(this.path, UIDLIST_FILE);
    if (uidListStampNow(path) === this.#uidListStamp) return false;
    const disk = await readUidListFile(path);
    if (disk.stamp === this.#uidListStamp || disk.kind !== 'valid') return false;
    this.#uidListStamp = disk.stamp;
    this.#adopt(mergeUidLists(disk.list, this.#uidList).list);
    return true;
  }

  /**
   * Lists new/ and cur/ again while files the folder knows are missing from the listing,
   * adding what each new listing finds; returns the bases missing from all of them.
   */
  async #recheck(
    listing: Map<string, Listed>,
    before: { new: number; cur: number },
    checkedAt: number,
  ): Promise<Set<string>> {
    let missing = [...this.#uidByBase.keys()].filter((base) => !listing.has(base));
    if (missing.length > 0 && (await this.#listedQuietly(before, checkedAt))) {
      return new Set(missing);
    }
    for (let i = 0; i < RESCANS && missing.length > 0; i++) {
      for (const [base, seen] of await this.#list()) listing.set(base, seen);
      missing = missing.filter((base) => !listing.has(base));
    }
    return new Set(missing);
  }

  /**
   * Whether nothing was added, removed or renamed in new/ or cur/ while they were listed: their
   * mtimes, taken before the listing, are the same after it and were old enough then that a
   * change in the same clock tick cannot hide behind them. A file missing from such a listing
   * is gone, not caught mid-rename, so a deletion costs one listing of a large folder, not three.
   */
  async #listedQuietly(before: { new: number; cur: number }, checkedAt: number): Promise<boolean> {
    const after = this.#dirMtimes();
    return (
      after.new === before.new && after.cur === before.cur && this.#oldEnough(before, checkedAt)
    );
  }

  /**
   * Whether new/'s and cur/'s mtimes were old enough at `checkedAt` that a change after it
   * cannot leave them as they were: older than a clock tick (QUIET_LISTING_MS) where the file
   * system keeps sub-second times, older than STABLE_MTIME_MS where it keeps whole seconds.
   */
  #oldEnough(mtimes: { new: number; cur: number }, checkedAt: number): boolean {
    return settledAt(mtimes.new, checkedAt) && settledAt(mtimes.cur, checkedAt);
  }

  async #refreshListing(): Promise<ListingChanges> {
    try {
      return await this.#listing.refresh();
    } catch (err) {
      throw storeErrorFromFs(err, this.name);
    }
  }

  /**
   * The common sync, in time proportional to what changed: files renamed (flags; new/ to cur/)
   * and files removed, by the rules of `#recheck`. Returns false when the changes need the
   * full sync: a file with no message yet (it needs a UID), or a removal that may be a rename
   * the listing missed (the full sync lists again). What it did by then (names) stays right.
   */
  async #applyChanges(
    changes: ListingChanges,
    mtimes: { new: number; cur: number },
    checkedAt: number,
  ): Promise<boolean> {
    if (!this.#uidList) return false;
    const touched = new Set<string>();
    for (const l of changes.added) touched.add(baseOf(l.fileName));
    for (const l of changes.removed) touched.add(baseOf(l.fileName));
    const missing: string[] = [];
    for (const base of touched) {
      const uid = this.#uidByBase.get(base);
      const entry = uid === undefined ? undefined : this.#entries.get(uid);
      const now = this.#listing.byBase.get(base);
      if (now && !entry) return false;
      if (now) this.#moved(entry!, now.dir, now.fileName);
      else if (entry) missing.push(base);
    }
    if (missing.length === 0) return true;
    if (!(await this.#listedQuietly(mtimes, checkedAt))) return false;
    for (const base of missing) {
      this.#forget(base);
      this.#cache.drop(base);
    }
    if (this.#uidListMostlyStale()) await this.#dropFromUidList().catch(() => undefined);
    return true;
  }

  /** Drops a message whose file is gone; if it ever comes back it gets a new UID. */
  #forget(base: string): void {
    const uid = this.#uidByBase.get(base);
    this.#uidByBase.delete(base);
    this.#forgotten.add(base);
    if (uid !== undefined && this.#entries.delete(uid)) this.#vanished(uid);
  }

  /**
   * A message left the folder: the folder changed (RFC 7162 §3.1 counts expunges too), and
   * the UID is remembered for QRESYNC's VANISHED (RFC 7162 §3.2.5.2).
   */
  #vanished(uid: number): void {
    this.#entriesChanged();
    this.#modseqs.expunged(uid);
  }

  /** A listed file without a UID, or with one below the highest shown that it never had. */
  #needsUid(base: string): boolean {
    const uid = this.#uidByBase.get(base);
    return uid === undefined || this.#retired(uid);
  }

  /**
   * A UID that must not be shown again: below the highest shown and not in the folder, or
   * expunged (a file restored after its UID was reported VANISHED, even by an earlier run:
   * its stale uidlist record may still name it).
   */
  #retired(uid: number): boolean {
    if (this.#entries.has(uid)) return false;
    return uid <= this.#highest || this.#modseqs.wasExpunged(uid);
  }

  /** Whether records of removed messages are a quarter or more of the uidlist's records. */
  #uidListMostlyStale(): boolean {
    const records = this.#uidList?.records.length ?? 0;
    return this.#forgotten.size >= records * UIDLIST_STALE_SHARE;
  }

  /**
   * Under the uidlist's dotlock: reads it, drops the files that are gone, gives every listed
   * file without a usable UID the next one (above every UID given: `nextUid` and the highest
   * shown), writes it back, and adopts it.
   */
  async #assignUids(
    listing: Map<string, Listed>,
    gone: ReadonlySet<string>,
    held?: DotLock,
  ): Promise<void> {
    const uidlistPath = join(this.path, UIDLIST_FILE);
    const lock = held ?? (await DotLock.acquire(uidlistPath));
    try {
      const disk = await readUidListFile(uidlistPath, { settle: true });
      const { list: start, changed } = await this.#startingList(disk);
      const sameValidity = start.uidValidity === this.#uidList?.uidValidity;
      const records: UidRecord[] = [];
      const uidByBase = new Map<string, number>();
      for (const r of start.records) {
        if (gone.has(r.base) || this.#forgotten.has(r.base)) continue;
        if (sameValidity && listing.has(r.base) && this.#retired(r.uid)) continue;
        records.push(r);
        uidByBase.set(r.base, r.uid);
      }
      const dropped = records.length !== start.records.length;
      const fresh: string[] = [];
      for (const base of listing.keys()) if (!uidByBase.has(base)) fresh.push(base);
      fresh.sort((a, b) => compareArrival(arrivalKey(a), arrivalKey(b)));
      let nextUid = Math.max(start.nextUid, sameValidity ? this.#highest + 1 : 1);
      for (const base of fresh) {
        records.push({ uid: nextUid, base, extensions: [] });
        uidByBase.set(base, nextUid++);
      }
      const list: UidList = { ...start, nextUid, records };
      if (fresh.length > 0 || dropped || changed || nextUid !== start.nextUid) {
        this.#uidListStamp = stampOf(await lock.replace(formatUidList(list)));
        this.#forgotten.clear();
      } else {
        await lock.release();
      }
      this.#adopt(list);
    } catch (err) {
      await lock.release().catch(() => undefined);
      throw storeErrorFromFs(err, `${this.name}/${UIDLIST_FILE}`);
    }
  }

  /**
   * The list to assign from: the file when it is valid (with what only memory knows merged
   * in); memory when the file was deleted, damaged or is still being written (it is written
   * again, with the same UIDVALIDITY); a new UIDVALIDITY only when neither exists.
   */
  async #startingList(disk: UidListOnDisk): Promise<{ list: UidList; changed: boolean }> {
    if (disk.kind === 'valid') {
      this.#uidListStamp = disk.stamp;
      return mergeUidLists(disk.list, this.#uidList);
    }
    if (this.#uidList) return { list: this.#uidList, changed: true };
    const uidValidity = await nextUidValidity(this.#root);
    return { list: { uidValidity, nextUid: 1, headerExtra: [], records: [] }, changed: true };
  }

  #adopt(list: UidList): void {
    this.#modseqs.uidValidity(list.uidValidity);
    if (this.#uidList && this.#uidList.uidValidity !== list.uidValidity) {
      this.#entries.clear(); // someone reset the uidlist: every UID is new (RFC 3501 §2.3.1.1)
      this.#highest = 0;
      this.#entriesChanged();
    }
    this.#uidList = list;
    const uidByBase = new Map<string, number>();
    for (const r of list.records) if (!this.#forgotten.has(r.base)) uidByBase.set(r.base, r.uid);
    this.#uidByBase = uidByBase;
  }

  async #refreshEntries(
    listing: Map<string, Listed>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    for (const [uid, entry] of this.#entries) {
      const seen = listing.get(entry.base);
      if (!seen || this.#uidByBase.get(entry.base) !== uid) {
        this.#entries.delete(uid);
        this.#vanished(uid);
        continue;
      }
      this.#moved(entry, seen.dir, seen.fileName);
    }
    const missing: [number, string, Listed][] = [];
    for (const [base, uid] of this.#uidByBase) {
      const seen = listing.get(base);
      if (seen && !this.#entries.has(uid)) missing.push([uid, base, seen]);
    }
    // Most files are described by one stat (their CRLF size is in the name or the cache):
    // synchronous stats are several times cheaper than a thread-pool round trip each, and the
    // event loop is let go every STAT_SLICE files. Files whose size must be counted are read
    // afterwards, a few at a time.
    let done = 0;
    const report = (): void => {
      done += 1;
      if (onProgress && (done % PROGRESS_EVERY === 0 || done === missing.length))
        onProgress(done, missing.length);
    };
    const add = (found: Omit<Entry, 'modseq' | 'letters'>): void => {
      if (this.#retired(found.uid)) return; // never below a UID already shown (see #highest)
      const letters = lettersOf(found.fileName);
      const modseq = this.#modseqs.found(found.uid, letters);
      // Every entry has every field, in one order: one shape, so the loops over thousands of
      // them (STORE, sync) read their fields without looking the shape up.
      const { uid, base, dir, fileName, facts } = found;
      const entry: Entry = { uid, base, dir, fileName, letters, facts, modseq, record: undefined };
      this.#entries.set(entry.uid, entry);
      this.#entriesChanged();
    };
    const toCount: [number, string, Listed, Stats][] = [];
    for (const [index, [uid, base, seen]] of missing.entries()) {
      if (index > 0 && index % STAT_SLICE === 0) await new Promise(setImmediate);
      if (seen.fileName.includes(',W=')) {
        add({ uid, base, dir: seen.dir, fileName: seen.fileName }); // looked at when needed
        report();
        continue;
      }
      const path = this.#fileOf(seen);
      const info = statSync(path, { throwIfNoEntry: false });
      const wireSize = info && this.#cache.get(base, info.size, info.mtimeMs)?.wireSize;
      if (info && wireSize === undefined) {
        toCount.push([uid, base, seen, info]);
        continue;
      }
      // A file renamed since the listing is still there: it is looked at when needed, and the
      // next sync finds its new name.
      const facts = info && factsOf(info, wireSize!);
      add({ uid, base, dir: seen.dir, fileName: seen.fileName, ...(facts && { facts }) });
      report();
    }
    await forEachLimited(toCount, COUNT_CONCURRENCY, async ([uid, base, seen, info]) => {
      const path = this.#fileOf(seen);
      const wireSize = await countWireSize(path).catch(() => undefined);
      const facts = wireSize === undefined ? undefined : factsOf(info, wireSize);
      if (facts) this.#cache.set(base, facts);
      add({ uid, base, dir: seen.dir, fileName: seen.fileName, ...(facts && { facts }) });
      report();
    });
    for (const uid of this.#entries.keys()) if (uid > this.#highest) this.#highest = uid;
  }

  /**
   * Sizes and date of a message, looking at its file the first time: the cache answers if it
   * still describes the file (same size and mtime); W= in the name is trusted only when S=
   * matches the file; otherwise the CRLF size is counted. A file gone meanwhile (renamed by
   * another program, expunged) is described from its name until the next sync finds it.
   */
  #facts(entry: Entry): Facts {
    if (entry.facts) return entry.facts;
    // Cached at the size its name gives: trusted as Dovecot trusts its index, so the first
    // FETCH after a start makes no stat per message (issue 16: 10,000 stats took ~100 ms).
    const cached = this.#cache.named(entry.base, parseName(entry.fileName).fileSize);
    if (cached) {
      const { fileSize, wireSize, mtimeMs } = cached;
      return (entry.facts = { fileSize, wireSize, mtimeMs });
    }
    let path = this.#fileOf(entry);
    let info = statSync(path, { throwIfNoEntry: false });
    if (!info && !parseName(entry.fileName).wireSize && this.#findNow(entry)) {
      path = this.#fileOf(entry); // renamed: its size must be counted
      info = statSync(path, { throwIfNoEntry: false });
    }
    const named = parseName(entry.fileName);
    if (!info) {
      const seconds = Number(/^(\d{1,12})\./.exec(entry.base)?.[1] ?? 0); // delivery time
      return {
        fileSize: named.fileSize ?? 0,
        wireSize: named.wireSize ?? 0,
        mtimeMs: seconds * 1000,
      };
    }
    let wireSize = this.#cache.get(entry.base, info.size, info.mtimeMs)?.wireSize;
    if (wireSize === undefined) {
      const trusted = named.wireSize !== undefined && (named.fileSize ?? info.size) === info.size;
      wireSize = trusted ? named.wireSize! : countWireSizeNow(path);
      this.#cache.set(entry.base, factsOf(info, wireSize));
      this.#scheduleCacheSave();
    }
    return (entry.facts = factsOf(info, wireSize));
  }

  /**
   * Finds a file renamed by another program without waiting (sizes are read synchronously);
   * only for files whose name does not carry their size, which is rare.
   */
  #findNow(entry: Entry): boolean {
    for (const dir of ['new', 'cur'] as const) {
      let names: string[];
      try {
        names = readdirSync(join(this.path, dir));
      } catch {
        return false; // the folder itself is gone: the next sync says so
      }
      const fileName = names.find((name) => baseOf(name) === entry.base);
      if (fileName) {
        this.#moved(entry, dir, fileName);
        return true;
      }
    }
    return false;
  }

  /** Moves files from new/ to cur/ (as every Maildir reader does); their UIDs are \Recent. */
  async #claimNew(): Promise<number[]> {
    const recent: number[] = [];
    const inNew = this.#inNew();
    if (inNew.length === 0) return recent;
    const start = this.#ownChangesBegin();
    let trusted = true;
    for (const uid of inNew) {
      const entry = this.#entries.get(uid);
      if (entry?.dir !== 'new') continue;
      const fileName = formatName(entry.base, entry.letters);
      try {
        renameSync(this.#subdirs.new + entry.fileName, this.#subdirs.cur + fileName);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          trusted = false; // another reader took it: the next sync finds where
          continue;
        }
        this.#ownChangesEnd(start, false);
        throw storeErrorFromFs(err, `${this.name}/new`);
      }
      this.#renamed(entry, 'cur', fileName);
      recent.push(entry.uid);
    }
    this.#ownChangesEnd(start, trusted);
    return recent.sort((a, b) => a - b);
  }

  #inNew(): number[] {
    this.#newUids ??= [...this.#entries.values()]
      .filter((e) => e.dir === 'new')
      .map((e) => e.uid)
      .sort((a, b) => a - b);
    return [...this.#newUids];
  }

  #status(): {
    uidValidity: number;
    uidNext: number;
    highestModseq: number;
    messages: MessageRecord[];
  } {
    const list = this.#uidList!;
    this.#snapshot ??= [...this.#entries.values()]
      .sort((a, b) => a.uid - b.uid)
      .map((e) => this.#record(e));
    return {
      uidValidity: list.uidValidity,
      uidNext: list.nextUid,
      highestModseq: this.#modseqs.highest,
      messages: this.#snapshot,
    };
  }

  /**
   * Writes the mod-sequences now when a value passed the ceiling on disk (before anyone is
   * told it: see modseq-file.ts), else a little later with the cache.
   */
  async #saveModseqs(): Promise<void> {
    if (this.#modseqs.mustSave)
      await this.#modseqs
        .save(this.#modseqEntries())
        .catch((err: unknown) =>
          Promise.reject(storeErrorFromFs(err, `${this.name}/${MODSEQ_FILE}`)),
        );
    else if (this.#modseqs.dirty) this.#scheduleCacheSave();
  }

  #modseqEntries(): { uid: number; modseq: number; letters: string }[] {
    return [...this.#entries.values()].map((e) => ({
      uid: e.uid,
      modseq: e.modseq,
      letters: e.letters,
    }));
  }

  #record(entry: Entry): MessageRecord {
    if (entry.record) return entry.record;
    const flags = this.#flagsOf(entry.letters);
    return (entry.record = new MaildirRecord(entry, flags, this.#factsOf));
  }

  /** `#facts` for records (one function shared by all of them). */
  readonly #factsOf = (entry: Entry): Facts => this.#facts(entry);

  #flagsOf(letters: string): ReadonlySet<string> {
    let flags = this.#flagSets.get(letters);
    if (!flags) {
      const { system, keywordIndexes } = lettersToFlags(letters);
      const set = new Set<string>(system);
      for (const index of keywordIndexes) {
        const keyword = this.#keywords[index];
        if (keyword) set.add(keyword);
      }
      flags = set;
      this.#flagSets.set(letters, flags);
    }
    return flags;
  }

  /** The snapshot and the list of new/ are made again when next asked for. */
  #entriesChanged(): void {
    this.#snapshot = undefined;
    this.#newUids = undefined;
  }

  /**
   * The folder renamed the message's file itself. The listing is left as it was: the next
   * refresh reports the rename (the old name removed, the new one added), which `#applyChanges`
   * finds the message already has; following it here cost two map updates per message on the
   * STORE's path (about a fifth of a STORE of every message), there it costs them after the
   * reply.
   */
  #renamed(entry: Entry, dir: Subdir, fileName: string, letters?: string): void {
    this.#renameCount += 1;
    this.#moved(entry, dir, fileName, letters);
  }

  /** Records where a file is now; its record is rebuilt if its flag letters changed. */
  #moved(entry: Entry, dir: Subdir, fileName: string, letters = lettersOf(fileName)): void {
    if (entry.fileName === fileName && entry.dir === dir) return; // the usual case in a listing
    if (entry.letters !== letters) {
      entry.letters = letters;
      entry.modseq = this.#modseqs.next();
      entry.record = undefined;
      this.#snapshot = undefined; // the list of new/ stays: a flag change moves nothing there
    }
    if (entry.dir !== dir) this.#newUids = undefined;
    entry.dir = dir;
    entry.fileName = fileName;
  }

  /**
   * Reads dovecot-keywords when it changed since the last read (its inode, size or mtime; a
   * stat, not three calls for an open, a read and a close on every sync). A file whose mtime
   * was within a clock tick of the read is read again next time: a rewrite in the same tick
   * can leave size and mtime as they were.
   */
  #loadKeywords(): void {
    const path = join(this.path, KEYWORDS_FILE);
    const checkedAt = Date.now();
    const info = statSync(path, { throwIfNoEntry: false });
    const stamp = info && stampOf(info);
    if (stamp !== undefined && stamp === this.#keywordsStamp) return;
    let keywords: string[] = [];
    try {
      // A small file, read at once: cheaper than a thread-pool round trip.
      if (info) keywords = parseKeywords(readFileSync(path, 'utf8'));
    } catch {
      // gone meanwhile: no keywords, read again at the next sync
    }
    this.#keywordsStamp = info && settledAt(info.mtimeMs, checkedAt) ? stamp : undefined;
    this.#setKeywords(keywords);
  }

  /** Adopts a keyword list; records are rebuilt when the letters mean something else now. */
  #setKeywords(keywords: string[]): void {
    let same = keywords.length === this.#keywords.length;
    for (let i = 0; same && i < keywords.length; i++) same = keywords[i] === this.#keywords[i];
    const before = this.#keywords;
    this.#keywords = keywords;
    if (same) return;
    // Letters that now mean another keyword (or none) change the flags of their messages.
    const renamed = new Set<string>();
    for (let i = 0; i < before.length; i++)
      if (before[i] !== keywords[i]) renamed.add(keywordLetter(i));
    this.#flagSets.clear();
    for (const entry of this.#entries.values()) {
      entry.record = undefined;
      if ([...entry.letters].some((l) => renamed.has(l))) entry.modseq = this.#modseqs.next();
    }
    this.#entriesChanged();
  }

  /**
   * Opens the message as wire bytes (CRLF), or the octets `range` of them. The file is opened
   * before this resolves.
   */
  async openMessage(uid: number, range?: WireRange): Promise<Readable> {
    const handle = await this.#openFile(uid);
    const simd = simdCrlf();
    if (simd) return new CrlfFileStream(handle, simd, range, this.#wireMarksOf(uid));
    const out = new CrlfTransform();
    pipeline(handle.createReadStream({ highWaterMark: STREAM_CHUNK_BYTES }), out, () => undefined);
    return range ? out.pipe(wireRange(range)) : out;
  }

  /** What is known of where the chunks of message `uid` begin in its CRLF form. */
  #wireMarksOf(uid: number): WireMarks {
    let marks = this.#wireMarks.get(uid);
    if (marks)
      this.#wireMarks.delete(uid); // most recently used last
    else marks = new WireMarks();
    this.#wireMarks.set(uid, marks);
    if (this.#wireMarks.size > WIRE_MARKS_KEPT)
      this.#wireMarks.delete(this.#wireMarks.keys().next().value!);
    return marks;
  }

  /** Where a message's file is (as last listed). */
  #fileOf(entry: { readonly dir: Subdir; readonly fileName: string }): string {
    return this.#subdirs[entry.dir] + entry.fileName;
  }

  async #openFile(uid: number) {
    for (let attempt = 0; attempt < RENAME_ATTEMPTS; attempt++) {
      const entry = this.#entries.get(uid);
      if (!entry) break;
      try {
        return await open(this.#fileOf(entry), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          throw storeErrorFromFs(err, this.name);
        await this.#relocate(entry); // renamed by a flag change elsewhere
      }
    }
    throw new StoreError('EXPUNGED', `message ${uid} in ${this.name} no longer exists`);
  }

  /**
   * Finds where a file went after a rename by another program, looking again as #recheck does;
   * forgets it if it is gone.
   */
  async #relocate(entry: Entry): Promise<void> {
    for (let i = 0; i <= RESCANS; i++) {
      const seen = (await this.#list()).get(entry.base);
      if (seen) {
        this.#moved(entry, seen.dir, seen.fileName);
        return;
      }
    }
    this.#forget(entry.base);
  }

  async updateFlags(
    uid: number,
    mode: FlagUpdate,
    flags: Iterable<string>,
  ): Promise<MessageRecord> {
    return (await this.#updateFlags(uid, mode, flags, Infinity))!;
  }

  updateFlagsUnchangedSince(
    uid: number,
    modseq: number,
    mode: FlagUpdate,
    flags: Iterable<string>,
  ): Promise<MessageRecord | undefined> {
    return this.#updateFlags(uid, mode, flags, modseq);
  }

  #updateFlags(
    uid: number,
    mode: FlagUpdate,
    flags: Iterable<string>,
    unchangedSince: number,
  ): Promise<MessageRecord | undefined> {
    const changes = [...flags].filter((f) => f.toLowerCase() !== '\\recent'); // session state only
    return this.#mutex.run(async () => {
      const entry = this.#entries.get(uid);
      if (!entry)
        throw new StoreError('EXPUNGED', `message ${uid} in ${this.name} no longer exists`);
      if (entry.modseq > unchangedSince) return undefined;
      await this.#applyFlags(entry, mode, changes);
      await this.#saveModseqs();
      return this.#record(entry);
    });
  }

  /**
   * updateFlags for many messages: FLAG_BATCH_MESSAGES at a time, each batch under one hold of
   * the lock (a STORE on 100,000 messages does not keep other sessions waiting for the whole
   * of it) and in one modseq batch (the batch's messages share one new MODSEQ, as in Dovecot's
   * STORE transaction, which RFC 7162 §3.1 allows), with the mod-sequences written at most
   * once per batch, before the caller tells anyone. For each UID: its record, 'modified'
   * (UNCHANGEDSINCE, RFC 7162 §3.1.3) or 'expunged'.
   */
  async updateFlagsMany(
    uids: readonly number[],
    mode: FlagUpdate,
    flags: Iterable<string>,
    unchangedSince = Infinity,
  ): Promise<FlagOutcome[]> {
    const changes = [...flags].filter((f) => f.toLowerCase() !== '\\recent'); // session state only
    // Many renames at once: the watcher's two events per rename cost more than watching again.
    const pause =
      uids.length >= PAUSE_WATCH_MIN_MESSAGES &&
      uids.length * PAUSE_WATCH_FOLDER_SHARE >= this.#entries.size;
    const outcomes: FlagOutcome[] = [];
    for (let first = 0; first < uids.length; first += FLAG_BATCH_MESSAGES) {
      const batch = uids.slice(first, first + FLAG_BATCH_MESSAGES);
      const done = await this.#mutex.run(() =>
        this.#modseqs.batch(() =>
          this.#updateFlagsBatch(batch, mode, changes, unchangedSince, pause),
        ),
      );
      for (const outcome of done) outcomes.push(outcome);
    }
    return outcomes;
  }

  async #updateFlagsBatch(
    uids: readonly number[],
    mode: FlagUpdate,
    changes: readonly string[],
    unchangedSince: number,
    pauseWatching: boolean,
  ): Promise<FlagOutcome[]> {
    const outcomes: FlagOutcome[] = [];
    // Old flag letters → new ones: the same for every message that had the same letters.
    const renamed = new Map<string, string | undefined>();
    const start = this.#ownChangesBegin();
    const renamedBefore = this.#renameCount;
    let usual = true; // no file was renamed away by another program meanwhile
    if (pauseWatching) this.#pauseWatching();
    try {
      for (const uid of uids) {
        const entry = this.#entries.get(uid);
        if (!entry) outcomes.push('expunged');
        else if (entry.modseq > unchangedSince) outcomes.push('modified');
        else if (this.#applyFlagsNow(entry, mode, changes, renamed))
          outcomes.push(this.#record(entry));
        else {
          usual = false;
          outcomes.push(await this.#applyFlagsOrGone(entry, mode, changes));
          renamed.clear(); // it may have given a keyword a letter
        }
      }
    } finally {
      if (this.#renameCount !== renamedBefore || !usual) this.#ownChangesEnd(start, usual);
    }
    await this.#saveModseqs();
    return outcomes;
  }

  async #applyFlagsOrGone(
    entry: Entry,
    mode: FlagUpdate,
    changes: readonly string[],
  ): Promise<MessageRecord | 'expunged'> {
    try {
      await this.#applyFlags(entry, mode, changes);
      return this.#record(entry);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'EXPUNGED') return 'expunged';
      throw err;
    }
  }

  /**
   * The usual case of `#applyFlags`, done at once (no promise per message of a large STORE):
   * false when it needs the slower way (a keyword without a letter yet, a file renamed by
   * another program meanwhile), which then starts from the beginning.
   */
  #applyFlagsNow(
    entry: Entry,
    mode: FlagUpdate,
    changes: readonly string[],
    renamed: Map<string, string | undefined>,
  ): boolean {
    const before = entry.letters; // the same string for every rename that set them
    let after = renamed.get(before);
    if (after === undefined && !renamed.has(before)) {
      after = this.#newLetters(entry, mode, changes);
      renamed.set(before, after);
    }
    if (after === undefined) return false;
    const fileName = `${entry.base}:2,${after}`;
    if (entry.dir === 'cur' && entry.fileName === fileName) return true;
    try {
      // The folder's path is already normal: no join() (and its normalising) per message.
      renameSync(
        `${this.path}${sep}${entry.dir}${sep}${entry.fileName}`,
        `${this.path}${sep}cur${sep}${fileName}`,
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storeErrorFromFs(err, this.name);
      return false;
    }
    this.#renamed(entry, 'cur', fileName, after);
    return true;
  }

  /** The sorted flag letters after the change, or undefined if a keyword has no letter yet. */
  #newLetters(entry: Entry, mode: FlagUpdate, changes: readonly string[]): string | undefined {
    const letters = [...lettersToFlags(entry.letters).other];
    for (const flag of this.#wantedFlags(entry, mode, changes)) {
      const letter = systemFlagLetter(flag) ?? this.#knownKeywordLetter(flag);
      if (letter === undefined) return undefined;
      letters.push(letter);
    }
    return formatName('', letters).slice(':2,'.length);
  }

  #wantedFlags(entry: Entry, mode: FlagUpdate, changes: readonly string[]): Set<string> {
    const wanted = new Set(mode === 'set' ? [] : this.#record(entry).flags);
    for (const flag of changes) {
      if (mode === 'remove') deleteFlag(wanted, flag);
      else wanted.add(flag);
    }
    return wanted;
  }

  /** A keyword's letter in dovecot-keywords as last read, without reading it again. */
  #knownKeywordLetter(keyword: string): string | undefined {
    const index = this.#keywords.findIndex((k) => k?.toLowerCase() === keyword.toLowerCase());
    return index === -1 ? undefined : keywordLetter(index);
  }

  /** Renames the message's file to carry its new flags (under the lock). */
  async #applyFlags(entry: Entry, mode: FlagUpdate, changes: readonly string[]): Promise<void> {
    // The new name is computed from the current one each try, so flags another program set
    // in the meantime survive (the rename failing with ENOENT tells us it happened).
    await this.#renameEntry(entry, async () => {
      const wanted = this.#wantedFlags(entry, mode, changes);
      const letters = [...lettersToFlags(entry.letters).other];
      for (const flag of wanted) {
        const letter = systemFlagLetter(flag) ?? (await this.#keywordLetter(flag));
        if (letter) letters.push(letter);
      }
      return formatName(entry.base, letters);
    });
  }

  async #keywordLetter(keyword: string): Promise<string | undefined> {
    let index = this.#keywords.findIndex((k) => k?.toLowerCase() === keyword.toLowerCase());
    if (index === -1) {
      this.#loadKeywords(); // another writer may have added it
      index = this.#keywords.findIndex((k) => k?.toLowerCase() === keyword.toLowerCase());
    }
    if (index === -1) {
      index = this.#keywords.findIndex((k) => !k);
      if (index === -1) index = this.#keywords.length;
      if (index >= MAX_KEYWORDS) return undefined; // Maildir has 26 keyword letters
      const keywords = [...this.#keywords];
      keywords[index] = keyword;
      try {
        await writeFileAtomic(join(this.path, KEYWORDS_FILE), formatKeywords(keywords));
      } catch (err) {
        // ENOENT: the folder was deleted by another session meanwhile (NOT_FOUND, not a bug).
        throw storeErrorFromFs(err, this.name);
      }
      this.#setKeywords(keywords);
    }
    return keywordLetter(index);
  }

  async #renameEntry(entry: Entry, target: () => Promise<string>): Promise<void> {
    for (let attempt = 0; attempt < RENAME_ATTEMPTS; attempt++) {
      const fileName = await target();
      if (entry.dir === 'cur' && entry.fileName === fileName) return;
      try {
        // A rename is a directory update: done at once, it costs a fraction of a thread-pool trip.
        renameSync(this.#fileOf(entry), this.#subdirs.cur + fileName);
        this.#renamed(entry, 'cur', fileName);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          throw storeErrorFromFs(err, this.name);
        await this.#relocate(entry);
        if (!this.#entries.has(entry.uid)) break;
      }
    }
    throw new StoreError('EXPUNGED', `message ${entry.uid} in ${this.name} no longer exists`);
  }

  /**
   * UIDs expunged with a mod-sequence above `modseq` (ascending), as of the last sync;
   * undefined when the folder's bounded history no longer reaches back that far.
   */
  expungedSince(modseq: number): number[] | undefined {
    return this.#modseqs.expungedSince(modseq);
  }

  /** Deletes the files of these messages (their uidlist records go at a later write). */
  expunge(uids: Iterable<number>): Promise<number[]> {
    return this.#mutex.run(() => this.#modseqs.batch(() => this.#expunge(uids)));
  }

  async #expunge(uids: Iterable<number>): Promise<number[]> {
    const removed: number[] = [];
    for (const uid of uids) {
      const entry = this.#entries.get(uid);
      if (!entry) continue;
      await this.#unlinkEntry(entry);
      this.#entries.delete(uid);
      this.#vanished(uid);
      this.#uidByBase.delete(entry.base);
      this.#forgotten.add(entry.base);
      removed.push(uid);
    }
    if (removed.length > 0 && this.#uidListMostlyStale()) await this.#dropFromUidList();
    await this.#saveModseqs();
    return removed.sort((a, b) => a - b);
  }

  async #unlinkEntry(entry: Entry): Promise<void> {
    for (let attempt = 0; attempt < RENAME_ATTEMPTS; attempt++) {
      try {
        await unlink(this.#fileOf(entry));
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          throw storeErrorFromFs(err, this.name);
        await this.#relocate(entry);
        if (!this.#entries.has(entry.uid)) return; // already gone: expunged elsewhere
      }
    }
  }

  async #dropFromUidList(): Promise<void> {
    const uidlistPath = join(this.path, UIDLIST_FILE);
    const lock = await DotLock.acquire(uidlistPath);
    try {
      const { list: onDisk } = await this.#startingList(
        await readUidListFile(uidlistPath, { settle: true }),
      );
      const records = onDisk.records.filter((r) => !this.#forgotten.has(r.base));
      const list = { ...onDisk, nextUid: Math.max(onDisk.nextUid, this.#highest + 1), records };
      this.#uidListStamp = stampOf(await lock.replace(formatUidList(list)));
      this.#forgotten.clear();
      this.#adopt(list);
    } catch (err) {
      await lock.release().catch(() => undefined);
      throw storeErrorFromFs(err, `${this.name}/${UIDLIST_FILE}`);
    }
  }

  async readMessage(uid: number): Promise<Buffer> {
    // The shared buffer is reused by the next read: a result that is that buffer is copied.
    return this.#readWire(uid, (bytes, shared) => {
      const simd = shared ? simdCrlf() : undefined;
      if (simd) return Buffer.from(simd.convert(bytes.length));
      const wire = toCrlf(bytes);
      return shared && wire === bytes ? Buffer.from(bytes) : wire;
    });
  }

  /**
   * The message in reusable memory (`wire-memory.ts`): a file read into the SIMD converter's
   * input is converted straight into one of its slabs, or else converted once and copied.
   */
  readMessageWire(uid: number): Promise<WireBytes> {
    return this.#readWire(uid, (bytes, shared) => {
      const simd = shared ? simdCrlf() : undefined;
      const direct = simd && convertToWire(simd, bytes.length);
      if (direct) return direct;
      const converted = simd?.convert(bytes.length);
      const wire = takeWireMemory(converted?.length ?? crlfLength(bytes));
      if (converted) converted.copy(wire.bytes);
      else copyAsCrlf(bytes, wire.bytes);
      return wire;
    });
  }

  /** Reads a message file whole (small ones into the shared buffer) and converts it. */
  async #readWire<T>(uid: number, convert: (bytes: Buffer, shared: boolean) => T): Promise<T> {
    for (let attempt = 0; attempt < RENAME_ATTEMPTS; attempt++) {
      const entry = this.#entries.get(uid);
      if (!entry) break;
      try {
        const path = this.#fileOf(entry);
        const expected = entry.facts?.fileSize ?? parseName(entry.fileName).fileSize;
        const fileSize = expected ?? this.#facts(entry).fileSize;
        if (fileSize <= SYNC_READ_MAX) {
          const shared = readSmallFileShared(path, fileSize);
          if (shared) return convert(shared, true);
        }
        return convert(await readKnownSize(path, fileSize), false);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          throw storeErrorFromFs(err, this.name);
        await this.#relocate(entry); // renamed by a flag change elsewhere
      }
    }
    throw new StoreError('EXPUNGED', `message ${uid} in ${this.name} no longer exists`);
  }

  /**
   * The header, read from the start of the file: most headers fit in HEADER_READ bytes; a
   * longer one (or a file without a blank line) is cut from the whole message.
   */
  async readHeader(uid: number): Promise<Buffer> {
    const entry = this.#entries.get(uid);
    if (entry) {
      let start: Buffer | undefined;
      try {
        start = readStartShared(this.#fileOf(entry), HEADER_READ);
      } catch {
        // renamed or gone: readMessage below finds it or reports it expunged
      }
      const head = start && toCrlf(start);
      const end = head ? head.indexOf('\r\n\r\n') : -1;
      if (head && end !== -1) return Buffer.from(head.subarray(0, end + 4));
    }
    const message = await this.readMessage(uid);
    const end = message.indexOf('\r\n\r\n');
    return end === -1 ? message : message.subarray(0, end + 4);
  }

  /**
   * Stores a new message in new/ (\Recent, RFC 3501 §6.3.11) with its flags and returns its UID. The uidlist's lock is
   * taken first and the UID given before this answers, so a failure (the lock held elsewhere,
   * a full disk) leaves nothing stored: a client that retries after NO makes no duplicate
   * (RFC 3501 §6.3.11: NO means the message was not appended).
   */
  async append(message: Buffer, options: AppendOptions = {}): Promise<number> {
    const [uid] = await this.appendAll([{ ...options, bytes: message }]);
    return uid!;
  }

  /**
   * Stores several messages as append does, under one hold of the lock: all of them or, when
   * any write fails, none (RFC 3502 §6.3.11). UIDs in the order given.
   */
  appendAll(messages: readonly NewMessage[]): Promise<number[]> {
    return this.#mutex.run(async () => {
      const files: NewFile[] = [];
      for (const m of messages) {
        files.push({
          source: { bytes: m.bytes },
          into: 'new',
          letters: await this.#lettersFor(m.flags ?? []),
          ...(m.internalDate && { mtime: m.internalDate }),
        });
      }
      return this.#storeLocked(files);
    });
  }

  /**
   * Writes message files and gives them UIDs under one hold of the uidlist's lock; if any
   * step fails, the files written are removed again and the error is passed on.
   */
  async #storeLocked(files: NewFile[]): Promise<number[]> {
    const lock = await DotLock.acquire(join(this.path, UIDLIST_FILE));
    const written: string[] = [];
    try {
      for (const file of files) written.push(await writeMessageFile(this.path, file));
      await this.#modseqs.batch(() => this.#sync(false, undefined, lock));
      return written.map((base) => {
        const uid = this.#uidByBase.get(base);
        // Only a DELETE (and CREATE) of this mailbox by another session between the write and
        // the sync takes a file away this fast: the client is told the mailbox is gone, and
        // what was written is removed below, so NO still means nothing was stored.
        if (uid === undefined)
          throw new StoreError(
            'NOT_FOUND',
            `${this.name} was deleted while the message was being stored; nothing was stored`,
          );
        return uid;
      });
    } catch (err) {
      await lock.release().catch(() => undefined);
      await this.#removeWritten(written, files);
      throw err;
    }
  }

  /** Takes back files this process just wrote (no UID was given to them, nobody saw them). */
  async #removeWritten(bases: readonly string[], files: readonly NewFile[]): Promise<void> {
    for (const [i, base] of bases.entries()) {
      const file = files[i]!;
      // As delivery.ts names it: flags in the name whenever there are any (new/ too).
      const name =
        file.letters || file.into === 'cur' ? formatName(base, file.letters ?? '') : base;
      await unlink(join(this.path, file.into, name)).catch(() => undefined);
      this.#forget(base);
    }
  }

  /** The files and flags of these messages, for copying them elsewhere. */
  sources(uids: readonly number[]): {
    uid: number;
    path: string;
    fileSize: number;
    wireSize: number;
    flags: Set<string>;
    mtime: Date;
  }[] {
    return uids.flatMap((uid) => {
      const e = this.#entries.get(uid);
      if (!e) return [];
      const flags = new Set(this.#record(e).flags);
      const facts = this.#facts(e);
      return [
        {
          uid,
          path: this.#fileOf(e),
          fileSize: facts.fileSize,
          wireSize: facts.wireSize,
          flags,
          mtime: new Date(facts.mtimeMs),
        },
      ];
    });
  }

  /** Where these messages' files are now, without a stat (the full-text index's worker). */
  filePaths(uids: readonly number[]): { uid: number; path: string }[] {
    return uids.flatMap((uid) => {
      const e = this.#entries.get(uid);
      return e ? [{ uid, path: this.#fileOf(e) }] : [];
    });
  }

  /**
   * Receives copies (hard links where possible) of other messages; returns their new UIDs. As
   * with append, a failure leaves none of them.
   */
  receive(sources: ReturnType<MaildirFolder['sources']>): Promise<number[]> {
    return this.#mutex.run(async () => {
      const files: NewFile[] = [];
      for (const source of sources) {
        const letters = await this.#lettersFor(source.flags);
        files.push({
          source: { path: source.path, fileSize: source.fileSize, wireSize: source.wireSize },
          into: 'new',
          letters,
          mtime: source.mtime,
        });
      }
      return this.#storeLocked(files);
    });
  }

  async #lettersFor(flags: Iterable<string>): Promise<string> {
    let letters = '';
    for (const flag of flags) {
      if (flag.toLowerCase() === '\\recent') continue;
      letters += systemFlagLetter(flag) ?? (await this.#keywordLetter(flag)) ?? '';
    }
    return letters;
  }

  /** A fact about a message already in the cache, or undefined. */
  peekCached<T>(uid: number, key: string): T | undefined {
    const entry = this.#entries.get(uid);
    if (entry) this.#facts(entry); // the cached facts must still describe the file
    return entry ? (this.#cache.getExtra(entry.base, key) as T | undefined) : undefined;
  }

  /** A fact about a message kept in the cache; computed (and kept) when missing. */
  async cached<T>(uid: number, key: string, compute: () => Promise<T>): Promise<T> {
    const entry = this.#entries.get(uid);
    if (entry) this.#facts(entry); // the cached facts must still describe the file
    const hit = entry ? this.#cache.getExtra(entry.base, key) : undefined;
    if (hit !== undefined) return hit as T;
    const value = await compute();
    if (entry) {
      this.#cache.setExtra(entry.base, key, value);
      this.#scheduleCacheSave();
    }
    return value;
  }

  /** Facts learned together (one parse): all are kept, `key`'s is returned. */
  async cachedAll<T>(
    uid: number,
    key: string,
    compute: () => Promise<Readonly<Record<string, T>>>,
  ): Promise<T> {
    const entry = this.#entries.get(uid);
    if (entry) this.#facts(entry); // the cached facts must still describe the file
    let hit = entry ? this.#cache.getExtra(entry.base, key) : undefined;
    const inFlight = this.#inFlight.get(uid);
    if (hit === undefined && entry && inFlight) {
      await inFlight; // a thread is parsing it already
      hit = this.#cache.getExtra(entry.base, key);
    }
    if (hit !== undefined) return hit as T;
    const values = await compute();
    if (entry) {
      this.#cache.setExtras(entry.base, values);
      this.#scheduleCacheSave();
    }
    return values[key]!;
  }

  /**
   * Learns the indexer's facts for every message that lacks them, newest first (what a phone
   * shows first), a batch per thread round trip; returns how many messages it looked at.
   * Sessions meanwhile are served as always: FETCH waits for a message already handed to the
   * indexer and parses any other itself (the same bytes either way).
   */
  async index(
    indexer: BackgroundIndexer,
    onProgress?: (done: number, total: number) => void,
  ): Promise<number> {
    this.useIndexer(indexer);
    if (!this.#cache.loaded) return 0; // released: sessions load it and index what they ask
    this.#indexing += 1;
    try {
      const todo = [...this.#entries.values()]
        .filter((e) => !this.#indexed(e, indexer))
        .sort((a, b) => b.uid - a.uid);
      const batches: Entry[][] = [];
      for (let i = 0; i < todo.length; i += INDEX_BATCH)
        batches.push(todo.slice(i, i + INDEX_BATCH));
      let done = 0;
      await forEachLimited(batches, indexer.concurrency, async (batch) => {
        const wanted = batch.filter((e) => !this.#indexed(e, indexer));
        const waits = new Set(batch.map((e) => this.#inFlight.get(e.uid)));
        if (wanted.length > 0) waits.add(this.#submit(indexer, wanted, false));
        await Promise.all(waits);
        done += batch.length;
        onProgress?.(done, todo.length);
        this.#scheduleCacheSave();
      });
      return todo.length;
    } finally {
      this.#indexing -= 1;
      if (this.#active === 0) this.#scheduleRelease();
    }
  }

  /** SEARCH's scan of these messages' files in the indexer's threads (`match-files.ts`). */
  matchFiles(uids: readonly number[], task: FileTask): Promise<FileMatches> | undefined {
    return matchFiles(this.#indexer, uids, task, (uid) => {
      const entry = this.#entries.get(uid);
      return entry && this.#fileOf(entry);
    });
  }

  /** The indexer `prepare` hands messages to. */
  useIndexer(indexer: BackgroundIndexer): void {
    this.#indexer ??= indexer;
  }

  /**
   * A hint from FETCH: these messages' facts under `keys` are wanted soon, in this order. Those
   * not known yet go to the indexer's threads ahead of the background pass, so both cores
   * parse while the event loop writes responses.
   */
  prepare(uids: readonly number[], keys: readonly string[]): void {
    const indexer = this.#indexer;
    if (!indexer || !this.#cache.loaded || !keys.every((k) => indexer.keys.includes(k))) return;
    const todo: Entry[] = [];
    for (const uid of uids) {
      const entry = this.#entries.get(uid);
      if (entry && !this.#indexed(entry, indexer)) todo.push(entry);
    }
    // A few messages (new mail) are parsed sooner on the event loop than a thread's round trip.
    if (todo.length < INDEX_BATCH) return;
    for (let i = 0; i < todo.length; i += INDEX_BATCH)
      void this.#submit(indexer, todo.slice(i, i + INDEX_BATCH), true);
  }

  #indexed(entry: Entry, indexer: BackgroundIndexer): boolean {
    return this.#inFlight.has(entry.uid) || this.#cache.hasExtras(entry.base, indexer.keys);
  }

  /**
   * Hands messages to the indexer; settles (never rejects) once their facts are kept. Files
   * renamed meanwhile (new/ to cur/, a flag change) are handed over again under their new
   * names, a few times at most.
   */
  #submit(
    indexer: BackgroundIndexer,
    entries: Entry[],
    urgent: boolean,
    attempt = 1,
  ): Promise<void> {
    const paths = entries.map((e) => this.#fileOf(e));
    const settled: Promise<void> = indexer.run(paths, urgent).then(
      async (results) => {
        const moved: Entry[] = [];
        results.forEach((result, i) => {
          const entry = entries[i]!;
          if (result) this.#learn(entry, result);
          else if (this.#fileOf(entry) !== paths[i]) moved.push(entry);
        });
        if (moved.length > 0 && attempt < RENAME_ATTEMPTS)
          await this.#submit(indexer, moved, urgent, attempt + 1);
        this.#forgetInFlight(entries, settled);
      },
      () => this.#forgetInFlight(entries, settled), // no threads: FETCH parses them itself
    );
    for (const entry of entries) this.#inFlight.set(entry.uid, settled);
    return settled;
  }

  #forgetInFlight(entries: readonly Entry[], settled: Promise<void>): void {
    for (const { uid } of entries)
      if (this.#inFlight.get(uid) === settled) this.#inFlight.delete(uid);
    if (this.#inFlight.size === 0 && this.#active === 0) this.#scheduleRelease();
  }

  /** Keeps what the indexer learned, if it still describes the message's file. */
  #learn(entry: Entry, file: IndexedFile): void {
    if (this.#entries.get(entry.uid) !== entry) return; // expunged meanwhile
    const { fileSize, mtimeMs } = file;
    if (entry.facts && (entry.facts.fileSize !== fileSize || entry.facts.mtimeMs !== mtimeMs))
      return;
    // The size FETCH would report: W= in the name is trusted when S= matches (see #facts).
    const named = parseName(entry.fileName);
    const trusted = named.wireSize !== undefined && (named.fileSize ?? fileSize) === fileSize;
    const wireSize = trusted ? named.wireSize! : file.wireSize;
    const known = this.#cache.get(entry.base, fileSize, mtimeMs);
    const extra = { ...known?.extra, ...file.facts };
    this.#cache.set(entry.base, {
      fileSize,
      mtimeMs,
      wireSize: known?.wireSize ?? wireSize,
      extra,
    });
    entry.facts ??= { fileSize, mtimeMs, wireSize: known?.wireSize ?? wireSize };
  }

  /** A session opened the folder: its cache is wanted in memory. */
  activate(): void {
    if (this.#active === 0) activeFolders += 1;
    this.#active += 1;
    this.#released = false;
    clearTimeout(this.#releaseTimer);
    this.#releaseTimer = undefined;
  }

  /** A session closed it; the last one lets the cache go after IDLE_RELEASE_MS. */
  deactivate(): void {
    if (this.#active === 0) return;
    this.#active -= 1;
    if (this.#active > 0) return;
    activeFolders -= 1;
    this.#scheduleRelease();
  }

  #scheduleRelease(): void {
    if (this.#indexing > 0 || this.#inFlight.size > 0) return; // their end schedules it
    clearTimeout(this.#releaseTimer);
    this.#releaseTimer = setTimeout(() => {
      this.#releaseTimer = undefined;
      void this.#mutex.run(async () => {
        if (this.#active > 0 || this.#indexing > 0 || this.#inFlight.size > 0) return;
        clearTimeout(this.#saveTimer);
        this.#saveTimer = undefined;
        await this.#cache.release();
        await this.#modseqs.save(this.#modseqEntries()).catch(() => undefined); // kept dirty
        this.#released = true;
        this.#snapshot = undefined;
        for (const entry of this.#entries.values()) entry.record = undefined;
        collectSoon(() => activeFolders === 0);
      });
    }, IDLE_RELEASE_MS);
    this.#releaseTimer.unref();
  }

  #saveTimer: NodeJS.Timeout | undefined;
  #lastSaveMs = 0;

  /**
   * Writes the cache a little later; the wait grows with how long the last write took, so a
   * large cache being filled (a first sync of a big folder) is not rewritten over and over.
   */
  #scheduleCacheSave(): void {
    if (this.#saveTimer) return;
    const delay = Math.max(CACHE_SAVE_DELAY_MS, SAVE_WAIT_PER_SAVE_MS * this.#lastSaveMs);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      void (async () => {
        // Outside the folder's mutex: a large save takes many turns of the event loop, and a
        // session's SELECT or STORE must not wait for it (the cache orders its own saves).
        const started = Date.now();
        await this.#cache.save();
        this.#lastSaveMs = Date.now() - started;
        await this.#mutex.run(
          () => this.#modseqs.save(this.#modseqEntries()).catch(() => undefined), // kept dirty
        );
      })();
    }, delay);
    this.#saveTimer.unref();
  }

  watch(listener: (change: MailboxChange) => void): () => void {
    if (this.#closing) return () => undefined;
    this.#listeners.add(listener);
    if (this.#watchers.length === 0 && !this.#watchPaused) this.#startWatching();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopWatching();
    };
  }

  /**
   * An event in new/ or cur/. Listeners hear once the events have been quiet for
   * WATCH_DEBOUNCE_MS: one timer per quiet period, pushed back when it fires early, costs far
   * less than clearing and setting one per event.
   */
  readonly #onWatchEvent = (): void => {
    this.#lastEventAt = performance.now();
    this.#debounce ??= setTimeout(this.#fireWatch, WATCH_DEBOUNCE_MS);
  };

  readonly #fireWatch = (): void => {
    const quietMs = performance.now() - this.#lastEventAt;
    if (quietMs < WATCH_DEBOUNCE_MS) {
      this.#debounce = setTimeout(this.#fireWatch, WATCH_DEBOUNCE_MS - quietMs);
      return;
    }
    this.#debounce = undefined;
    this.#watchFires += 1; // the next sync lists: the events may be another program's
    for (const listener of this.#listeners) listener({ mailbox: this.name });
  };

  #startWatching(): void {
    for (const dir of ['new', 'cur']) {
      try {
        // Unreferenced: sessions and listeners keep a server running, never a watcher.
        const watcher = watch(join(this.path, dir), { persistent: false }, this.#onWatchEvent);
        watcher.on('error', () => watcher.close()); // folder deleted underneath: stop quietly
        this.#watchers.push(watcher);
      } catch {
        // Folder gone: nothing to watch; sessions notice on their next sync.
      }
    }
  }

  #stopWatching(): void {
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
    clearTimeout(this.#debounce);
    this.#debounce = undefined;
    clearImmediate(this.#resumeWatch);
    this.#resumeWatch = undefined;
    this.#watchPaused = false;
  }

  /**
   * Before the folder renames many files itself: stops watching new/ and cur/, so that its own
   * renames cost no inotify events (two per rename, each a call into JavaScript: about a tenth
   * of a 10,000-message STORE). Watching starts again at the next turn of the event loop, so
   * the batches of one STORE, run one after another, stop it once (adding a watch costs a walk
   * over the directory's entries in the kernel), followed by one event standing for all that
   * happened meanwhile: listeners hear after the quiet period as they would have, and the sync
   * that starts lists new/ and cur/ once (`#watchFires`), finding any change another program
   * made while nothing watched.
   */
  #pauseWatching(): void {
    if (this.#watchers.length === 0 && !this.#watchPaused) return; // nothing watches
    if (!this.#watchPaused) {
      for (const watcher of this.#watchers) watcher.close();
      this.#watchers = [];
      this.#watchPaused = true;
    }
    clearImmediate(this.#resumeWatch);
    this.#resumeWatch = setImmediate(() => {
      this.#resumeWatch = undefined;
      this.#watchPaused = false;
      if (this.#closing || this.#listeners.size === 0) return;
      this.#startWatching();
      this.#onWatchEvent();
    });
  }

  /** Stops watching and writes what the cache learned. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#listeners.clear();
    this.#stopWatching();
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    clearTimeout(this.#releaseTimer);
    this.#releaseTimer = undefined;
    await this.#mutex.run(async () => {
      await this.#cache.save();
      // A folder deleted or made read-only underneath: the next load starts above any value.
      await this.#modseqs.save(this.#modseqEntries(), true).catch(() => undefined);
    });
  }
}

interface DirMtimes {
  readonly new: number;
  readonly cur: number;
}

/** See `MaildirFolder.#own`. */
interface OwnChangesStart {
  /** When the first of a run of own changes began from an exact listing. */
  readonly since: number;
  /** `#watchFires` then: a later fire may have been another program's change. */
  readonly watchFires: number;
}

type OwnChanges = DirMtimes & OwnChangesStart;

function sameMtimes(a: DirMtimes | undefined, b: DirMtimes): boolean {
  return a !== undefined && a.new === b.new && a.cur === b.cur;
}

interface SyncBatch {
  claimRecent: boolean;
  readonly waiters: {
    readonly claimRecent: boolean;
    resolve(result: SyncResult): void;
    reject(err: unknown): void;
  }[];
}

/**
 * Whether a file or directory with this mtime, looked at `checkedAt`, shows any later change
 * by a new mtime: it was older than a clock tick (QUIET_LISTING_MS) where the file system
 * keeps sub-second times, older than STABLE_MTIME_MS where it keeps whole seconds.
 */
function settledAt(mtimeMs: number, checkedAt: number): boolean {
  const quietMs = mtimeMs % 1000 !== 0 ? QUIET_LISTING_MS : STABLE_MTIME_MS;
  return checkedAt - mtimeMs > quietMs;
}

function someKey<K>(map: ReadonlyMap<K, unknown>, test: (key: K) => boolean): boolean {
  for (const key of map.keys()) if (test(key)) return true;
  return false;
}

function factsOf(info: Stats, wireSize: number): Facts {
  return { fileSize: info.size, wireSize, mtimeMs: info.mtimeMs };
}

/** A message's record; its size and date come from the file the first time they are read. */
class MaildirRecord implements MessageRecord {
  readonly uid: number;
  readonly flags: ReadonlySet<string>;
  readonly modseq: number;
  readonly #entry: Entry;
  readonly #facts: (entry: Entry) => Facts;

  constructor(entry: Entry, flags: ReadonlySet<string>, facts: (entry: Entry) => Facts) {
    this.uid = entry.uid;
    this.flags = flags;
    this.modseq = entry.modseq;
    this.#entry = entry;
    this.#facts = facts;
  }

  get size(): number {
    return this.#facts(this.#entry).wireSize;
  }

  get internalDate(): Date {
    return new Date(this.#facts(this.#entry).mtimeMs);
  }
}

function countWireSizeNow(path: string): number {
  const counter = new WireSizeCounter();
  try {
    counter.add(readFileSync(path));
  } catch {
    // gone meanwhile: counted as empty until the next sync drops it
  }
  return counter.size;
}

function compareArrival(a: [number, string], b: [number, string]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

function deleteFlag(flags: Set<string>, flag: string): void {
  for (const f of flags) if (f.toLowerCase() === flag.toLowerCase()) flags.delete(f);
}

async function countWireSize(path: string): Promise<number> {
  const counter = new WireSizeCounter();
  for await (const chunk of createReadStream(path)) counter.add(chunk as Buffer);
  return counter.size;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
