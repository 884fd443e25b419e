/**
 * A session's view of its selected mailbox: message sequence numbers, the flags this session
 * has been told about, its \Recent messages, and the untagged responses that bring it up to
 * date with the store (RFC 3501 §5.2, §7.3.1, §7.4.1). Each session has its own view.
 */
import { StoreError } from '../store/errors.js';
import type { Mailbox, MessageRecord } from '../store/types.js';
import { flagList } from './response.js';
import {
  formatNumbers,
  normalise,
  pickAscending,
  SAVED_RESULT,
  type SequenceSet,
} from './sequence-set.js';

const SYSTEM_ORDER = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

/**
 * The mailbox's UIDVALIDITY changed under a session (a restored or reset uidlist, a mailbox
 * deleted and created again): its UIDs mean nothing any more, so the session ends and the
 * client selects again (RFC 3501 §2.3.1.1; Dovecot does the same).
 */
export class UidValidityChanged extends Error {
  override name = 'UidValidityChanged';
}

/** UID lists of record lists, shared by every view that holds the same list. */
const uidLists = new WeakMap<readonly MessageRecord[], number[]>();

/** What SELECT reports about a record list (RFC 3501 §6.3.1: UNSEEN, the keywords in FLAGS). */
export interface SelectSummary {
  /** The first message without \Seen, by sequence number; 0 when all are seen. */
  readonly firstUnseen: number;
  /** Keywords set on some message. */
  readonly keywords: ReadonlySet<string>;
}

/**
 * Summaries of record lists, shared like `uidLists`: the store's list stays the same object
 * until a message changes, so a SELECT when nothing changed does not walk every message.
 */
const summaries = new WeakMap<readonly MessageRecord[], SelectSummary>();

function summarise(records: readonly MessageRecord[]): SelectSummary {
  const keywords = new Set<string>();
  let firstUnseen = 0;
  const seen = new Set<ReadonlySet<string>>(); // records share their flag sets
  for (let i = 0; i < records.length; i++) {
    const flags = records[i]!.flags;
    if (!firstUnseen && !flags.has('\\Seen')) firstUnseen = i + 1;
    if (seen.has(flags)) continue;
    seen.add(flags);
    for (const f of flags) if (!f.startsWith('\\')) keywords.add(f);
  }
  return { firstUnseen, keywords };
}

export class MailboxView {
  readonly mailbox: Mailbox;
  readonly readOnly: boolean;
  uidValidity = 0;
  uidNext = 1;
  /** RFC 7162 §3.1.1: the mailbox's HIGHESTMODSEQ as of the last sync. */
  highestModseq = 0;
  /** CONDSTORE is on in the session: FETCH responses for flag changes carry MODSEQ. */
  reportModseq = false;
  /** False once the session enabled IMAP4rev2, which has no \Recent (RFC 9051 Appendix E). */
  reportRecent = true;
  /**
   * QRESYNC is on in the session (RFC 7162 §3.2): expunges are `VANISHED uids` instead of
   * `n EXPUNGE` (§3.2.10), every FETCH response carries UID (§3.2), and a command after which
   * HIGHESTMODSEQ rose without a FETCH telling it gets it in its tagged OK (`modseqNotice`).
   */
  qresync = false;
  /** HIGHESTMODSEQ as of the last refresh that left no expunge held back. */
  #lastFullModseq = 0;
  /** The highest MODSEQ sent in a FETCH response since the last refresh. */
  #sentModseq = 0;
  /**
   * The records by sequence number (index seq - 1), in UID order. Usually the store's own
   * list, shared with every other session on the mailbox (no copy per session); copied before
   * this view changes it (`#own`).
   */
  #records: readonly MessageRecord[] = [];
  #own = false;
  /** The store's list this view last caught up with: the same list again means no change. */
  #seen: readonly MessageRecord[] | undefined;
  readonly #recent = new Set<number>();
  /** Keywords this session has been told about in FLAGS (RFC 3501 §7.2.6). */
  readonly #keywords = new Set<string>();
  /** The highest UID this session was ever shown: nothing new may come below it. */
  #highestShown = 0;
  /** UIDs the store no longer has but this session has not yet been told about. */
  readonly #vanished = new Set<number>();
  #changed = false;
  /**
   * Set by `open` until the first `refresh`: the view was synced moments ago in the same
   * command, so the refresh before SELECT's tagged reply need not sync again unless the store
   * reported a change since (a SELECT then costs one sync of the folder, not two).
   */
  #justOpened = false;
  /**
   * UIDs saved by SEARCH RETURN (SAVE), what `$` names (RFC 5182 §2.1): empty in a new view,
   * so SELECT and EXAMINE reset it; expunged messages drop out as `resolve` reads it.
   */
  savedResult: ReadonlySet<number> = new Set();
  readonly #stopWatching: () => void;

  private constructor(mailbox: Mailbox, readOnly: boolean, onChange: () => void) {
    this.mailbox = mailbox;
    this.readOnly = readOnly;
    this.#stopWatching = mailbox.watch(() => {
      this.#changed = true;
      onChange();
    });
  }

  static async open(
    mailbox: Mailbox,
    readOnly: boolean,
    onChange: () => void,
  ): Promise<MailboxView> {
    const view = new MailboxView(mailbox, readOnly, onChange);
    const status = await mailbox.sync({ claimRecent: !readOnly });
    view.uidValidity = status.uidValidity;
    view.uidNext = status.uidNext;
    view.highestModseq = view.#lastFullModseq = status.highestModseq;
    view.#records = view.#seen = status.messages;
    view.#highestShown = status.messages.at(-1)?.uid ?? 0;
    for (const uid of status.recent) view.#recent.add(uid);
    view.#justOpened = true;
    return view;
  }

  get exists(): number {
    return this.#records.length;
  }

  get recentCount(): number {
    return this.#recent.size;
  }

  /** True after the store reported a change this view has not synced yet. */
  get changed(): boolean {
    return this.#changed;
  }

  /** UNSEEN and the keywords in use, computed once per record list. */
  get summary(): SelectSummary {
    if (this.#own) return summarise(this.#records); // this view's copy changes in place
    let summary = summaries.get(this.#records);
    if (!summary) summaries.set(this.#records, (summary = summarise(this.#records)));
    return summary;
  }

  get uids(): readonly number[] {
    let uids = uidLists.get(this.#records);
    if (!uids) {
      uids = this.#records.map((r) => r.uid);
      uidLists.set(this.#records, uids);
    }
    return uids;
  }

  uidAt(seq: number): number | undefined {
    return this.#records[seq - 1]?.uid;
  }

  /** The sequence number of a UID, or undefined. UIDs ascend, so this is a binary search. */
  seqOf(uid: number): number | undefined {
    let lo = 0;
    let hi = this.#records.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.#records[mid]!.uid;
      if (at === uid) return mid + 1;
      if (at < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** The record of message number `seq`. */
  recordAt(seq: number): MessageRecord | undefined {
    return this.#records[seq - 1];
  }

  record(uid: number): MessageRecord | undefined {
    const seq = this.seqOf(uid);
    return seq === undefined ? undefined : this.#records[seq - 1];
  }

  isVanished(uid: number): boolean {
    return this.#vanished.has(uid);
  }

  /** Flags as this session shows them, in Dovecot's order: system flags, \Recent, keywords. */
  flags(uid: number): string[] {
    return this.#shown(uid, this.record(uid)?.flags ?? new Set<string>());
  }

  #shown(uid: number, stored: ReadonlySet<string>): string[] {
    const flags = SYSTEM_ORDER.filter((f) => stored.has(f));
    if (this.reportRecent && this.#recent.has(uid)) flags.push('\\Recent');
    for (const f of stored) if (!f.startsWith('\\')) flags.push(f);
    return flags;
  }

  /**
   * `FLAGS (…)` of a record as this session shows it, after its MODSEQ once CONDSTORE is on
   * (RFC 7162 §3.1.4: every FETCH reporting a flag change carries it; Dovecot's order).
   */
  flagsData(record: MessageRecord): string {
    const flags = `FLAGS ${flagList(this.#shown(record.uid, record.flags))}`;
    const uid = this.qresync ? `UID ${record.uid} ` : '';
    if (!this.reportModseq) return `${uid}${flags}`;
    this.noteModseqSent(record.modseq);
    return `${uid}MODSEQ (${record.modseq}) ${flags}`;
  }

  /** A FETCH response carried this MODSEQ: the client knows the mailbox up to it. */
  noteModseqSent(modseq: number): void {
    if (modseq > this.#sentModseq) this.#sentModseq = modseq;
  }

  /**
   * After `refresh`, with QRESYNC on in a read-write view: the HIGHESTMODSEQ to give the
   * client when it rose (expunges, new messages) beyond what FETCH responses told it, as
   * Dovecot does so that a client never stores a value past changes it was not sent. While
   * expunges are held back, the value before them (or nothing). Undefined: nothing to send.
   */
  modseqNotice(): number | undefined {
    // Without QRESYNC (or read-only) nothing is sent and the MODSEQs sent keep counting, so
    // turning QRESYNC on later does not announce what FETCHes already told (as Dovecot).
    if (!this.qresync || this.readOnly) return undefined;
    const sent = this.#sentModseq;
    this.#sentModseq = 0;
    if (this.#vanished.size > 0)
      return sent > this.#lastFullModseq ? this.#lastFullModseq : undefined;
    const last = this.#lastFullModseq;
    this.#lastFullModseq = this.highestModseq;
    return this.highestModseq > last && this.highestModseq > sent ? this.highestModseq : undefined;
  }

  /** FLAGS and PERMANENTFLAGS with the keywords known so far. */
  flagsResponses(): string[] {
    const flags = [...SYSTEM_ORDER, ...this.#keywords];
    return [
      `FLAGS ${flagList(flags)}`,
      this.readOnly
        ? 'OK [PERMANENTFLAGS ()] Read-only mailbox.'
        : `OK [PERMANENTFLAGS ${flagList([...flags, '\\*'])}] Flags permitted.`,
    ];
  }

  /**
   * Notes the keywords among `flags`; when one is new to this session, returns FLAGS and
   * PERMANENTFLAGS to send before the flags are shown, as Dovecot does: clients check the
   * keywords of FETCH FLAGS against the mailbox's FLAGS (RFC 3501 §7.2.6).
   */
  newKeywords(flags: Iterable<string>): string[] {
    let added = false;
    for (const f of flags) {
      if (f.startsWith('\\') || this.#keywords.has(f)) continue;
      this.#keywords.add(f);
      added = true;
    }
    return added ? this.flagsResponses() : [];
  }

  /** The UIDs a sequence set names, ascending; by UID or by message number. */
  resolve(set: SequenceSet, byUid: boolean): number[] {
    const uids = this.uids;
    if (set === SAVED_RESULT) return uids.filter((uid) => this.savedResult.has(uid));
    if (byUid) {
      // RFC 3501 §6.4.8: "*" is the largest UID in use; a range with it always includes that.
      return pickAscending(normalise(set, uids.at(-1) ?? 0), uids);
    }
    const out: number[] = [];
    for (const [first, last] of normalise(set, uids.length)) {
      for (let seq = first; seq <= Math.min(last, uids.length); seq++) out.push(uids[seq - 1]!);
    }
    return out;
  }

  /** Records a flag change this session made itself (it reports it in its own words). */
  noteFlags(record: MessageRecord): void {
    const seq = this.seqOf(record.uid);
    if (seq === undefined) return;
    if (!this.#own) {
      this.#records = this.#records.slice();
      this.#own = true;
    }
    (this.#records as MessageRecord[])[seq - 1] = record;
  }

  /**
   * Brings the view up to date and returns the untagged responses to send. EXPUNGE is held
   * back when not allowed (during FETCH, STORE and SEARCH: RFC 3501 §7.4.1).
   */
  async refresh(allowExpunge: boolean): Promise<string[]> {
    const justOpened = this.#justOpened;
    this.#justOpened = false;
    if (justOpened && !this.#changed) return [];
    this.#changed = false;
    let status;
    try {
      status = await this.mailbox.sync({ claimRecent: !this.readOnly });
    } catch (err) {
      if (err instanceof StoreError && err.code === 'NOT_FOUND') throw err; // deleted underneath
      return [];
    }
    if (status.uidValidity !== this.uidValidity)
      throw new UidValidityChanged(`UIDVALIDITY of ${this.mailbox.name} changed`);
    const messages = status.messages;
    const out: string[] = [];
    const changed = messages !== this.#seen;
    if (changed) this.#findVanished(messages);
    if (allowExpunge && this.#vanished.size > 0) out.push(...this.#expungeVanished());
    const before = this.#records.length;
    const recentBefore = this.#recent.size;
    for (const uid of status.recent) this.#recent.add(uid);
    if (changed) this.#catchUp(messages, out);
    this.#seen = messages;
    if (this.#records.length !== before) out.push(`${this.#records.length} EXISTS`);
    const recentChanged = this.#recent.size !== recentBefore || this.#records.length !== before;
    if (this.reportRecent && recentChanged) out.push(`${this.#recent.size} RECENT`);
    this.uidNext = status.uidNext;
    this.highestModseq = status.highestModseq;
    return out;
  }

  /** Marks as vanished every UID of the view the store's list (ascending) no longer has. */
  #findVanished(messages: readonly MessageRecord[]): void {
    // As many messages up to the same highest UID: none vanished, since a new message only
    // ever comes above every UID shown (a flag change elsewhere, the usual case).
    const records = this.#records;
    if (messages.length === records.length && messages.at(-1)?.uid === records.at(-1)?.uid) return;
    let j = 0;
    for (const { uid } of this.#records) {
      while (j < messages.length && messages[j]!.uid < uid) j++;
      if (j === messages.length || messages[j]!.uid !== uid) this.#vanished.add(uid);
    }
  }

  /**
   * Reports flags that changed and takes the store's list, plus the messages still to be
   * expunged (held back) if any; new messages come with it.
   */
  #catchUp(messages: readonly MessageRecord[], out: string[]): void {
    const known = Math.max(this.#highestShown, this.#records.at(-1)?.uid ?? 0);
    this.#highestShown = Math.max(known, messages.at(-1)?.uid ?? 0);
    let j = 0;
    this.#records.forEach((old, index) => {
      while (j < messages.length && messages[j]!.uid < old.uid) j++;
      const now = messages[j];
      if (now?.uid !== old.uid || now === old || sameFlags(old.flags, now.flags)) return;
      out.push(...this.newKeywords(now.flags));
      out.push(`${index + 1} FETCH (${this.flagsData(now)})`);
    });
    for (let i = messages.length - 1; i >= 0 && messages[i]!.uid > known; i--)
      out.push(...this.newKeywords(messages[i]!.flags));
    // The store's list is taken whole when it holds exactly this view's messages up to the
    // highest UID it knows: nothing vanished, and nothing new below that UID (new messages
    // only ever come after every known one, or sequence numbers would shift).
    if (this.#vanished.size === 0 && countUpTo(messages, known) === this.#records.length) {
      this.#records = messages;
      this.#own = false;
      return;
    }
    const merged: MessageRecord[] = [];
    j = 0;
    for (const old of this.#records) {
      while (j < messages.length && messages[j]!.uid < old.uid) j++;
      merged.push(messages[j]?.uid === old.uid ? messages[j]! : old);
    }
    for (let i = countUpTo(messages, known); i < messages.length; i++) merged.push(messages[i]!);
    this.#records = merged;
    this.#own = true;
  }

  /**
   * `* n EXPUNGE` for each vanished message, highest first so the numbers stay right; with
   * QRESYNC one `* VANISHED uids` instead (RFC 7162 §3.2.10).
   */
  #expungeVanished(): string[] {
    const out: string[] = [];
    const gone: number[] = [];
    const kept: MessageRecord[] = [];
    this.#records.forEach((record, index) => {
      if (this.#vanished.has(record.uid)) {
        out.push(`${index + 1} EXPUNGE`);
        gone.push(record.uid);
        this.#recent.delete(record.uid);
      } else {
        kept.push(record);
      }
    });
    this.#records = kept;
    this.#own = true;
    this.#vanished.clear();
    if (!this.qresync) return out.reverse();
    return gone.length > 0 ? [`VANISHED ${formatNumbers(gone)}`] : [];
  }

  /** Removes messages this session expunged and returns their `* n EXPUNGE` lines. */
  expunged(uids: readonly number[]): string[] {
    for (const uid of uids) this.#vanished.add(uid);
    return this.#expungeVanished();
  }

  async close(): Promise<void> {
    this.#stopWatching();
    await this.mailbox.close();
  }
}

/** How many records (ascending by UID) have a UID up to `uid`. */
function countUpTo(records: readonly MessageRecord[], uid: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid]!.uid <= uid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sameFlags(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const f of a) if (!b.has(f)) return false;
  return true;
}
