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
}

export interface MailboxStatus {
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly messages: readonly MessageRecord[];
}

export interface SyncResult extends MailboxStatus {
  /** UIDs first seen by this sync that were still in new/ (IMAP's \Recent). */
  readonly recent: readonly number[];
}

export type FlagUpdate = 'set' | 'add' | 'remove';

export interface MailboxChange {
  readonly mailbox: string;
}

export interface Mailbox {
  readonly name: string;
  /** Reads the folder and the uidlist, assigns UIDs to new files and returns the current list. */
  sync(): Promise<SyncResult>;
  /** The message with CRLF line ends, streamed from disk. Fails with EXPUNGED if it is gone. */
  openMessage(uid: number): Promise<Readable>;
  updateFlags(uid: number, mode: FlagUpdate, flags: Iterable<string>): Promise<MessageRecord>;
  /** Removes the files of these messages; returns the UIDs that were removed. */
  expunge(uids: Iterable<number>): Promise<number[]>;
  /** Calls `listener` after files in this mailbox appear, vanish or are renamed. */
  watch(listener: (change: MailboxChange) => void): () => void;
  close(): Promise<void>;
}

export interface MailboxListEntry {
  /** Name as IMAP shows it, `/`-separated hierarchy, modified UTF-7 decoded to Unicode. */
  readonly name: string;
}

export interface MailStore {
  listMailboxes(): Promise<MailboxListEntry[]>;
  openMailbox(name: string): Promise<Mailbox>;
  createMailbox(name: string): Promise<void>;
  /** Writes a message into the mailbox the way a delivery agent does (tmp/ → new/). */
  deliver(name: string, message: Buffer): Promise<void>;
  /**
   * The POP3 maildrop lock of RFC 1939 §8: one POP3 session per maildrop at a time.
   * Returns a release function, or throws StoreError IN_USE.
   */
  lockMaildrop(): () => void;
}
