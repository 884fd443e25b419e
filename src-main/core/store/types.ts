/**
 * The store interface that the protocol layers (IMAP, POP3) talk to. It speaks in UIDs,
 * IMAP flag names and wire (CRLF) sizes; it never formats protocol text, and callers never
 * see paths.
 */
import type { Readable } from 'node:stream';

/** The system flags of RFC 3501 §2.3.2 that a Maildir file name can carry. */
export const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;
export type SystemFlag = (typeof SYSTEM_FLAGS)[number];

export interface MessageRecord {
  readonly uid: number;
  /** System flags (`\Seen`…) and keywords (`$Forwarded`…), as IMAP names them. */
  readonly flags: ReadonlySet<string>;
  /** Size in octets with CRLF line ends: RFC822.SIZE, POP3 LIST/STAT. */
  readonly size: number;
  /** The message's arrival time (the file's mtime, as Dovecot uses it). */
  readonly internalDate: Date;
  /** CONDSTORE's MODSEQ (RFC 7162 §3.1): raised by every change of the message's flags. */
  readonly modseq: number;
}

/**
 * A message's wire bytes in memory that is used again once `release` is called (by the
 * session, when the socket has taken them). Reading `bytes` after that sees other mail.
 */
export interface WireBytes {
  readonly bytes: Buffer;
  readonly release: () => void;
}

export interface MailboxStatus {
  readonly uidValidity: number;
  readonly uidNext: number;
  /** RFC 7162 §3.1.1: the highest MODSEQ given, raised by expunges too. */
  readonly highestModseq: number;
  readonly messages: readonly MessageRecord[];
}

export interface SyncResult extends MailboxStatus {
  /** UIDs first seen by this sync that were still in new/ (IMAP's \Recent). */
  readonly recent: readonly number[];
}

export type FlagUpdate = 'set' | 'add' | 'remove';

/** What a flag change came to for one message of a batch (`Mailbox.updateFlagsMany`). */
export type FlagOutcome = MessageRecord | 'modified' | 'expunged';

export interface MailboxChange {
  readonly mailbox: string;
}

export interface SyncOptions {
  /**
   * Move files from new/ to cur/ and report them as \Recent to this caller (SELECT, POP3).
   * False leaves them in new/ (EXAMINE, STATUS); `recent` then lists every file still there.
   */
  readonly claimRecent?: boolean;
  /** Called while many new files are read for the first time (a large Maildir's first sync). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface AppendOptions {
  readonly flags?: Iterable<string>;
  /** INTERNALDATE; the file's mtime. */
  readonly internalDate?: Date;
}

export interface NewMessage extends AppendOptions {
  readonly bytes: Buffer;
}

/** TEXT searches headers and body text; BODY the body text alone (RFC 3501 §6.4.4). */
export type TextScope = 'text' | 'body';

/** What the full-text index knows about one SEARCH string (issue 16). */
export interface TextFilter {
  /**
   * False only when the message, as it is now, certainly does not contain the string;
   * true when it may (or the index does not hold it): the matcher then reads it.
   */
  mayContain(uid: number, wireSize: number): boolean;
}

export interface Mailbox {
  readonly name: string;
  /** Reads the folder and the uidlist, assigns UIDs to new files and returns the current list. */
  sync(options?: SyncOptions): Promise<SyncResult>;
  /** The whole message with CRLF line ends (for parsing; bodies are streamed with openMessage). */
  readMessage(uid: number): Promise<Buffer>;
  /**
   * The whole message with CRLF line ends, for sending, in reusable memory (`WireBytes`):
   * release it once the socket has the bytes. For messages up to about 1 MiB; larger ones are
   * streamed with openMessage.
   */
  readMessageWire(uid: number): Promise<WireBytes>;
  /** The message's header, through the blank line that ends it, with CRLF line ends. */
  readHeader(uid: number): Promise<Buffer>;
  /** Stores a message (tmp/ → cur/) and returns its UID. */
  append(message: Buffer, options?: AppendOptions): Promise<number>;
  /** Stores several messages, all or none (RFC 3502 MULTIAPPEND); returns their UIDs in order. */
  appendAll(messages: readonly NewMessage[]): Promise<number[]>;
  /** Copies messages with their flags into another mailbox; returns [source UID, new UID] pairs. */
  copyTo(uids: readonly number[], target: string): Promise<[number, number][]>;
  /** Parsed facts about a message kept in the metadata cache (opaque to the store). */
  cached<T>(uid: number, key: string, compute: () => Promise<T>): Promise<T>;
  /**
   * Like `cached`, for facts learned together: when `key` is missing, `compute` gives a set
   * of facts (one parse, several answers), all of them are kept, and `key`'s is returned.
   */
  cachedAll<T>(
    uid: number,
    key: string,
    compute: () => Promise<Readonly<Record<string, T>>>,
  ): Promise<T>;
  /**
   * A hint: facts under these keys will be asked for these messages soon, in this order. The
   * store may compute them ahead (a background indexer's threads); answers do not change.
   */
  prepare(uids: readonly number[], keys: readonly string[]): void;
  /** A fact already in the metadata cache, or undefined; nothing is computed. */
  peekCached<T>(uid: number, key: string): T | undefined;
  /**
   * Runs `task` on these messages' files in the store's threads (a contiguous slice per job,
   * as many jobs at once as there are threads): the UIDs it matched, and those whose files a
   * thread could not read (renamed, expunged or too large meanwhile: the caller reads them
   * itself). Undefined when the store has no threads here: the caller reads every message.
   */
  matchFiles(uids: readonly number[], task: FileTask): Promise<FileMatches> | undefined;
  /**
   * The message with CRLF line ends, or octets [start, end) of that, streamed from disk. Fails
   * with EXPUNGED if it is gone.
   */
  openMessage(
    uid: number,
    range?: { readonly start: number; readonly end: number },
  ): Promise<Readable>;
  updateFlags(uid: number, mode: FlagUpdate, flags: Iterable<string>): Promise<MessageRecord>;
  /**
   * updateFlags only while the message's MODSEQ is at most `modseq` (STORE UNCHANGEDSINCE,
   * RFC 7162 §3.1.3), checked and changed as one step; undefined when it was higher.
   */
  updateFlagsUnchangedSince(
    uid: number,
    modseq: number,
    mode: FlagUpdate,
    flags: Iterable<string>,
  ): Promise<MessageRecord | undefined>;
  /**
   * updateFlags (or, with `unchangedSince`, updateFlagsUnchangedSince) for many messages, in
   * batches that are each one change: one new MODSEQ shared by a batch's changed messages,
   * state written once per batch (other sessions may run between batches). One outcome per
   * UID, in order.
   */
  updateFlagsMany(
    uids: readonly number[],
    mode: FlagUpdate,
    flags: Iterable<string>,
    unchangedSince?: number,
  ): Promise<FlagOutcome[]>;
  /** Removes the files of these messages; returns the UIDs that were removed. */
  expunge(uids: Iterable<number>): Promise<number[]>;
  /**
   * UIDs expunged (by anyone, noticed by a sync) with a mod-sequence above `modseq`,
   * ascending (QRESYNC, RFC 7162 §3.2.5.2); undefined when the mailbox's bounded history
   * does not reach back to `modseq`, so that any UID not present may have vanished.
   */
  expungedSince(modseq: number): number[] | undefined;
  /**
   * The full-text index's narrowing for SEARCH TEXT/BODY with this string, or undefined when
   * there is no index (yet) or it cannot narrow for the string: every message is then read.
   */
  textFilter?(needle: string, scope: TextScope): Promise<TextFilter | undefined>;
  /** Calls `listener` after files in this mailbox appear, vanish or are renamed. */
  watch(listener: (change: MailboxChange) => void): () => void;
  close(): Promise<void>;
}

export interface MailboxListEntry {
  /** Name as IMAP shows it, `/`-separated hierarchy, modified UTF-7 decoded to Unicode. */
  readonly name: string;
}

export interface MailboxCounts {
  readonly messages: number;
  readonly recent: number;
  readonly unseen: number;
  readonly uidNext: number;
  readonly uidValidity: number;
  /** Sum of the messages' CRLF sizes. */
  readonly size: number;
  readonly highestModseq: number;
  /** Messages flagged \Deleted (STATUS DELETED, RFC 9051 §6.3.11). */
  readonly deleted: number;
}

export interface MailStore {
  listMailboxes(): Promise<MailboxListEntry[]>;
  openMailbox(name: string): Promise<Mailbox>;
  createMailbox(name: string): Promise<void>;
  /** Deletes a mailbox and its messages. Refused for INBOX and for mailboxes with children. */
  deleteMailbox(name: string): Promise<void>;
  /** Renames a mailbox and its children; renaming INBOX moves its messages (RFC 3501 §6.3.5). */
  renameMailbox(from: string, to: string): Promise<void>;
  /** Counts for STATUS, without claiming \Recent. */
  counts(name: string): Promise<MailboxCounts>;
  subscriptions(): Promise<string[]>;
  setSubscribed(name: string, subscribed: boolean): Promise<void>;
  /** Writes a message into the mailbox the way a delivery agent does (tmp/ → new/). */
  deliver(name: string, message: Buffer): Promise<void>;
  /**
   * The POP3 maildrop lock of RFC 1939 §8: one POP3 session per maildrop at a time.
   * Returns a release function, or throws StoreError IN_USE.
   */
  lockMaildrop(): () => void;
}

/** What a background indexer learned about one message file. */
export interface IndexedFile {
  readonly fileSize: number;
  readonly mtimeMs: number;
  /** The CRLF size. */
  readonly wireSize: number;
  /** Opaque facts for the metadata cache (`cached`), by key. */
  readonly facts: Readonly<Record<string, unknown>>;
}

/**
 * Code that a store's threads run on message files, given by the protocol layer (the store
 * only reads the files). `module` is the URL of a module exporting
 * `matchFile(file: Buffer, toWire: (file: Buffer) => Buffer, input): boolean | Promise<boolean>`,
 * called with each file as stored; `input` must survive a structured clone.
 */
export interface FileTask {
  readonly module: string;
  readonly input: unknown;
}

/** What a `FileTask` found, by UID. */
export interface FileMatches {
  readonly matched: number[];
  /** Files that could not be read whole (gone, renamed, too large) or whose task failed. */
  readonly unread: number[];
}

/**
 * Learns facts about message files away from the event loop (worker threads), so a folder
 * can be indexed before any client asks (`MaildirMailbox.index`).
 */
export interface BackgroundIndexer {
  /** The cache keys it fills: a message with all of them is not given to it again. */
  readonly keys: readonly string[];
  /** How many `run` calls are worth having under way at once. */
  readonly concurrency: number;
  /** Whether work is queued or under way (lower-priority work waits behind it). */
  readonly busy?: boolean;
  /**
   * Facts for each file, null for one it could not read; rejects when it cannot run at all.
   * `urgent` work (a client waiting) goes before the rest.
   */
  run(paths: readonly string[], urgent?: boolean): Promise<(IndexedFile | null)[]>;
  /** Whether `run` and `match` can work here now (threads exist where the code was built). */
  readonly available: boolean;
  /**
   * Runs `task` on each file (a client waits: ahead of background work); the indexes into
   * `paths` it matched and those it could not read. Rejects when it cannot run at all.
   */
  match(paths: readonly string[], task: FileTask): Promise<{ matched: number[]; unread: number[] }>;
}
