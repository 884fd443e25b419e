/**
 * A session's view of its selected mailbox: message sequence numbers, the flags this session
 * has been told about, its \Recent messages, and the untagged responses that bring it up to
 * date with the store (RFC 3501 §5.2, §7.3.1, §7.4.1). Each session has its own view.
 */
import { StoreError } from '../store/errors.js';
import type { Mailbox, MessageRecord } from '../store/types.js';
import { flagList } from './response.js';
import { contains, type SequenceSet } from './sequence-set.js';

const SYSTEM_ORDER = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

export class MailboxView {
  readonly mailbox: Mailbox;
  readonly readOnly: boolean;
  uidValidity = 0;
  uidNext = 1;
  #uids: number[] = [];
  readonly #records = new Map<number, MessageRecord>();
  readonly #recent = new Set<number>();
  /** UIDs the store no longer has but this session has not yet been told about. */
  readonly #vanished = new Set<number>();
  #changed = false;
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
    for (const record of status.messages) {
      view.#uids.push(record.uid);
      view.#records.set(record.uid, record);
    }
    for (const uid of status.recent) view.#recent.add(uid);
    return view;
  }

  get exists(): number {
    return this.#uids.length;
  }

  get recentCount(): number {
    return this.#recent.size;
  }

  /** True after the store reported a change this view has not synced yet. */
  get changed(): boolean {
    return this.#changed;
  }

  get uids(): readonly number[] {
    return this.#uids;
  }

  uidAt(seq: number): number | undefined {
    return this.#uids[seq - 1];
  }

  /** The sequence number of a UID, or undefined. UIDs ascend, so this is a binary search. */
  seqOf(uid: number): number | undefined {
    let lo = 0;
    let hi = this.#uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.#uids[mid]!;
      if (at === uid) return mid + 1;
      if (at < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  record(uid: number): MessageRecord | undefined {
    return this.#records.get(uid);
  }

  isVanished(uid: number): boolean {
    return this.#vanished.has(uid);
  }

  /** Flags as this session shows them, in Dovecot's order: system flags, \Recent, keywords. */
  flags(uid: number): string[] {
    const stored = this.#records.get(uid)?.flags ?? new Set<string>();
    const flags = SYSTEM_ORDER.filter((f) => stored.has(f));
    if (this.#recent.has(uid)) flags.push('\\Recent');
    for (const f of stored) if (!f.startsWith('\\')) flags.push(f);
    return flags;
  }

  /** The UIDs a sequence set names, ascending; by UID or by message number. */
  resolve(set: SequenceSet, byUid: boolean): number[] {
    if (byUid) {
      const max = this.#uids.at(-1) ?? 0;
      // RFC 3501 §6.4.8: "*" is the largest UID in use; a range with it always includes that.
      return this.#uids.filter((uid) => contains(set, uid, max));
    }
    const out: number[] = [];
    this.#uids.forEach((uid, index) => {
      if (contains(set, index + 1, this.#uids.length)) out.push(uid);
    });
    return out;
  }

  /** Records a flag change this session made itself (it reports it in its own words). */
  noteFlags(record: MessageRecord): void {
    if (this.#records.has(record.uid)) this.#records.set(record.uid, record);
  }

  /**
   * Brings the view up to date and returns the untagged responses to send. EXPUNGE is held
   * back when not allowed (during FETCH, STORE and SEARCH: RFC 3501 §7.4.1).
   */
  async refresh(allowExpunge: boolean): Promise<string[]> {
    this.#changed = false;
    let status;
    try {
      status = await this.mailbox.sync({ claimRecent: !this.readOnly });
    } catch (err) {
      if (err instanceof StoreError && err.code === 'NOT_FOUND') throw err; // deleted underneath
      return [];
    }
    const out: string[] = [];
    const current = new Map(status.messages.map((m) => [m.uid, m]));
    for (const uid of this.#uids) if (!current.has(uid)) this.#vanished.add(uid);
    if (allowExpunge && this.#vanished.size > 0) out.push(...this.#expungeVanished());
    const known = this.#uids.at(-1) ?? 0;
    const before = this.#uids.length;
    const recentBefore = this.#recent.size;
    for (const uid of status.recent) this.#recent.add(uid);
    for (const record of status.messages) {
      if (record.uid > known) {
        this.#uids.push(record.uid);
        this.#records.set(record.uid, record);
      } else if (!sameFlags(this.#records.get(record.uid)?.flags, record.flags)) {
        this.#records.set(record.uid, record);
        const seq = this.seqOf(record.uid);
        if (seq !== undefined) out.push(`${seq} FETCH (FLAGS ${flagList(this.flags(record.uid))})`);
      }
    }
    if (this.#uids.length !== before) out.push(`${this.#uids.length} EXISTS`);
    if (this.#recent.size !== recentBefore || this.#uids.length !== before)
      out.push(`${this.#recent.size} RECENT`);
    this.uidNext = status.uidNext;
    return out;
  }

  /** `* n EXPUNGE` for each vanished message, highest first so the numbers stay right. */
  #expungeVanished(): string[] {
    const out: string[] = [];
    for (let seq = this.#uids.length; seq >= 1; seq--) {
      const uid = this.#uids[seq - 1]!;
      if (!this.#vanished.has(uid)) continue;
      out.push(`${seq} EXPUNGE`);
      this.#uids.splice(seq - 1, 1);
      this.#records.delete(uid);
      this.#recent.delete(uid);
    }
    this.#vanished.clear();
    return out;
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

function sameFlags(a: ReadonlySet<string> | undefined, b: ReadonlySet<string>): boolean {
  if (!a || a.size !== b.size) return false;
  for (const f of a) if (!b.has(f)) return false;
  return true;
}
