/**
 * CONDSTORE mod-sequences of one folder (RFC 7162 §3.1): a MODSEQ per message and the
 * folder's HIGHESTMODSEQ. Maildir has no place for them, so they live in `mailport-modseq`
 * beside `dovecot-uidlist`, replaced atomically (temp file + rename):
 *
 *   mailport-modseq 2 <uidvalidity> <reserved> <floor>
 *   <uid> <modseq> <flag letters>        one line per message
 *   x <modseq> <uid ranges>              UIDs expunged at that modseq (`expunge-history.ts`)
 *
 * A message keeps its modseq while its file-name flag letters stay the same; a message that
 * is new, or whose letters differ from the remembered ones (another program renamed it, or
 * this process changed it after the last write), gets the next value.
 *
 * Crash safety: values are handed out without writing the file, but never above `reserved`,
 * a ceiling written (and synced) before any value passes it. Every start continues above the
 * ceiling, so a change that was handed out and then lost in a crash is found again (its
 * letters differ from the file's) and gets a value above anything a client can hold.
 * A lost or damaged file restarts at a time-based value (microseconds since the epoch):
 * above every value handed out, as long as the folder averaged fewer than a million changes
 * a second since it first got mod-sequences. A folder that never had a message starts at 1.
 *
 * Expunged UIDs (QRESYNC, RFC 7162 §3.2.5.2) are exact above `floor`. Messages the file
 * remembers that the first sync does not find (removed while the process was down) are
 * recorded as expunged then. A file written while the folder stays open carries a floor of at
 * least its ceiling: after a crash, expunges handed out after that write are unknown, and a
 * client below the floor is told every UID it may know that is not there. Only the write at
 * close (`final`) keeps the true floor. A lost or damaged file starts with the floor at the
 * new start; a version-1 file (CONDSTORE only) at its ceiling.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { readText } from '../../util/read-text.js';
import { MAX_REMEMBERED_EXPUNGES } from '../limits.js';
import { ExpungeHistory, type ExpungeBatch } from './expunge-history.js';
import { formatUidRanges, parseUidRanges } from './uid-ranges.js';

export const MODSEQ_FILE = 'mailport-modseq';
const MAGIC = 'mailport-modseq 2';
/** How many values may be handed out before the ceiling must be written again. */
export const MODSEQ_RESERVE = 1000;
/** Values above this are taken as damage: far below 2^53 (exact) and RFC 7162's 2^63 - 1. */
const MODSEQ_MAX = 2 ** 52;
const MICROS_PER_MS = 1000;
/**
 * HIGHESTMODSEQ of a folder before its first change: RFC 7162 §7 makes it a
 * mod-sequence-value (1 or more) in SELECT, and in STATUS a 0 would say the mailbox has no
 * persistent mod-sequences. Dovecot reports 1 too.
 */
const FIRST_MODSEQ = 1;

interface Remembered {
  readonly modseq: number;
  readonly letters: string;
}

/** What the folder tells the file about each message when it is written. */
export interface ModseqEntry {
  readonly uid: number;
  readonly modseq: number;
  readonly letters: string;
}

export class ModseqFile {
  readonly #path: string;
  /** The highest value handed out (HIGHESTMODSEQ). */
  #highest = 0;
  /** The ceiling on disk: no value above it was handed out before it was written. */
  #reserved = 0;
  #uidValidity = 0;
  /** Messages as the file remembered them at load, until each is matched once. */
  #remembered = new Map<number, Remembered>();
  #loaded = false;
  #dirty = false;
  #history = new ExpungeHistory(0);
  /** Inside a batch (one sync, one EXPUNGE) every change shares one value, as in Dovecot. */
  #batching = false;
  #batch: number | undefined;

  constructor(folderPath: string) {
    this.#path = join(folderPath, MODSEQ_FILE);
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get highest(): number {
    return this.#highest;
  }

  /**
   * Reads the file once. `neverHadMessages`: the uidlist never gave a UID (nextUid 1), so no
   * client can hold a modseq of this folder and a lost file may start at 1.
   */
  async load(uidValidity: number, neverHadMessages: boolean): Promise<void> {
    this.#loaded = true;
    this.#uidValidity = uidValidity;
    const text = await readText(this.#path, 'latin1').catch(() => undefined);
    const parsed = text === undefined ? undefined : parse(text);
    if (parsed) {
      this.#highest = this.#reserved = Math.max(parsed.reserved, FIRST_MODSEQ); // older files: 0
      if (parsed.uidValidity === uidValidity) {
        this.#remembered = parsed.messages;
        this.#history = new ExpungeHistory(parsed.floor, parsed.expunged);
      } else {
        this.#history.reset(this.#highest);
      }
    } else if (text !== undefined || !neverHadMessages) {
      this.#highest = this.#reserved = Date.now() * MICROS_PER_MS; // lost or damaged
      this.#history.reset(this.#highest);
    } else {
      this.#highest = this.#reserved = FIRST_MODSEQ;
    }
    // A valid file for these UIDs is written again only when something changes (STATUS opens
    // and closes folders often); anything else is written at the first chance.
    this.#dirty = parsed?.uidValidity !== uidValidity;
  }

  /** The modseq of a message the folder sees (again) with these flag letters. */
  found(uid: number, letters: string): number {
    const remembered = this.#remembered.get(uid);
    if (remembered) {
      this.#remembered.delete(uid);
      if (remembered.letters === onlyLetters(letters)) return remembered.modseq;
    }
    return this.next();
  }

  /** A message left the folder (EXPUNGE, or its file is gone): remembered with its value. */
  expunged(uid: number): void {
    this.#history.add(uid, this.next());
  }

  /**
   * After the first sync since the load: messages the file remembers that it did not find
   * were removed while the process was not looking, and are remembered as expunged now.
   */
  settle(): void {
    for (const uid of this.#remembered.keys()) this.expunged(uid);
    this.#remembered.clear();
  }

  /** Whether `uid` left the folder, as far as the bounded history remembers. */
  wasExpunged(uid: number): boolean {
    return this.#history.has(uid);
  }

  /** UIDs expunged above `modseq`, ascending; undefined when the history does not reach it. */
  expungedSince(modseq: number): number[] | undefined {
    return this.#history.since(modseq);
  }

  /** A new value for a change (flags, a new or a vanished message); one per batch. */
  next(): number {
    this.#dirty = true;
    if (!this.#batching) return ++this.#highest;
    return (this.#batch ??= ++this.#highest);
  }

  /** Runs `work` as one batch: the changes it finds are one change to clients. */
  async batch<T>(work: () => Promise<T>): Promise<T> {
    if (this.#batching) return work();
    this.#batching = true;
    this.#batch = undefined;
    try {
      return await work();
    } finally {
      this.#batching = false;
    }
  }

  /** The folder's UIDVALIDITY; when it changed the UIDs mean something else, nothing applies. */
  uidValidity(uidValidity: number): void {
    if (!this.#loaded || uidValidity === this.#uidValidity) return;
    this.#uidValidity = uidValidity;
    this.#remembered.clear();
    this.#history.reset(this.#highest);
    this.#dirty = true;
  }

  /** True when a value was handed out above the ceiling: the file must be written first. */
  get mustSave(): boolean {
    return this.#highest > this.#reserved;
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  /**
   * Writes the file when something changed. `final` (the folder is closed: nothing more is
   * handed out before the next load) puts the ceiling at the highest value, so the next start
   * continues from it and HIGHESTMODSEQ does not move without a change.
   */
  async save(entries: Iterable<ModseqEntry>, final = false): Promise<void> {
    if (!this.#loaded) return;
    if (!this.#dirty && !(final && this.#reserved !== this.#highest)) return;
    const reserved = final
      ? this.#highest
      : this.mustSave
        ? this.#highest + MODSEQ_RESERVE
        : this.#reserved;
    // While the folder stays open a crash may lose expunges up to the ceiling (see above).
    const floor = final ? this.#history.floor : Math.max(this.#history.floor, reserved);
    const lines = [`${MAGIC} ${this.#uidValidity} ${reserved} ${floor}`];
    for (const e of entries) lines.push(`${e.uid} ${e.modseq} ${onlyLetters(e.letters)}`);
    for (const b of this.#history.batches) lines.push(`x ${b.modseq} ${formatUidRanges(b.uids)}`);
    this.#dirty = false;
    try {
      await writeFileAtomic(this.#path, `${lines.join('\n')}\n`);
    } catch (err) {
      this.#dirty = true;
      throw err;
    }
    this.#reserved = reserved;
  }
}

interface Parsed {
  readonly uidValidity: number;
  readonly reserved: number;
  readonly floor: number;
  readonly messages: Map<number, Remembered>;
  readonly expunged: ExpungeBatch[];
}

/** The file's content, or undefined when anything in it is not as written (damage). */
function parse(text: string): Parsed | undefined {
  const lines = text.split('\n');
  if (lines.pop() !== '') return undefined; // cut short
  // Version 1 (CONDSTORE only) has no expunges: nothing at or below its ceiling is known.
  const head = /^mailport-modseq (?:1|2) (\d{1,10}) (\d{1,16})(?: (\d{1,16}))?$/.exec(
    lines.shift() ?? '',
  );
  if (!head || (head[3] === undefined) !== text.startsWith('mailport-modseq 1')) return undefined;
  const reserved = Number(head[2]);
  const floor = Number(head[3] ?? reserved);
  if (reserved > MODSEQ_MAX || floor > reserved) return undefined;
  const messages = new Map<number, Remembered>();
  const expunged: ExpungeBatch[] = [];
  for (const line of lines) {
    const x = /^x (\d{1,16}) ([\d:,]+)$/.exec(line);
    if (x) {
      const modseq = Number(x[1]);
      const uids = parseUidRanges(x[2]!, MAX_REMEMBERED_EXPUNGES);
      if (!uids || modseq > reserved || modseq <= (expunged.at(-1)?.modseq ?? 0)) return undefined;
      expunged.push({ modseq, uids });
      continue;
    }
    const m = /^(\d{1,10}) (\d{1,16}) ([A-Za-z]*)$/.exec(line);
    if (!m || Number(m[2]) > reserved) return undefined;
    messages.set(Number(m[1]), { modseq: Number(m[2]), letters: m[3]! });
  }
  return { uidValidity: Number(head[1]), reserved, floor, messages, expunged };
}

/** The flag letters of a file name's `:2,` part (anything else in it means no flag). */
function onlyLetters(letters: string): string {
  return letters.replace(/[^A-Za-z]/g, '');
}
