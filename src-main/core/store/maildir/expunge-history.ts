/**
 * The UIDs a folder expunged, each with the mod-sequence of its expunge, for QRESYNC's
 * `VANISHED (EARLIER)` (RFC 7162 §3.2.5.2, §3.2.6). Bounded: past MAX_REMEMBERED_EXPUNGES UIDs
 * the oldest expunges are forgotten and `floor` rises to their mod-sequence. The history is
 * exact above the floor: every UID expunged with a mod-sequence above it is here. Below it
 * the folder no longer knows what vanished, and `since` says so (undefined).
 */
import { MAX_REMEMBERED_EXPUNGES } from '../limits.js';

export interface ExpungeBatch {
  readonly modseq: number;
  /** Ascending whenever read (`batches`, `since`). */
  readonly uids: number[];
}

export class ExpungeHistory {
  /** Ascending by modseq; one per EXPUNGE or sync that removed messages. */
  #batches: ExpungeBatch[];
  #count: number;
  #floor: number;
  /** The last batch got a UID below one it had (only the last batch is ever added to). */
  #unsorted = false;
  /** Every UID in the batches, built when first asked for and dropped on any change. */
  #all: Set<number> | undefined;

  constructor(floor: number, batches: ExpungeBatch[] = []) {
    this.#floor = floor;
    this.#batches = batches;
    this.#count = batches.reduce((n, b) => n + b.uids.length, 0);
    this.#trim();
  }

  /** Expunges with a mod-sequence at or below this may be missing. */
  get floor(): number {
    return this.#floor;
  }

  get batches(): readonly ExpungeBatch[] {
    this.#sort();
    return this.#batches;
  }

  #sort(): void {
    if (!this.#unsorted) return;
    this.#batches.at(-1)?.uids.sort((a, b) => a - b);
    this.#unsorted = false;
  }

  /** Forgets everything: nothing at or below `floor` is known any more. */
  reset(floor: number): void {
    this.#all = undefined;
    this.#batches = [];
    this.#count = 0;
    this.#floor = floor;
    this.#unsorted = false;
  }

  add(uid: number, modseq: number): void {
    this.#all?.add(uid);
    const last = this.#batches.at(-1);
    if (last?.modseq === modseq) {
      // A sync finds removed files in no particular order: sorted once, when next read.
      if (last.uids.length > 0 && last.uids.at(-1)! > uid) this.#unsorted = true;
      last.uids.push(uid);
    } else {
      this.#sort();
      this.#batches.push({ modseq, uids: [uid] });
    }
    this.#count++;
    this.#trim();
  }

  /**
   * UIDs (ascending) expunged with a mod-sequence above `modseq`; undefined when `modseq` is
   * below the floor, where the history may be missing some.
   */
  since(modseq: number): number[] | undefined {
    if (modseq < this.#floor) return undefined;
    this.#sort();
    let lo = 0;
    let hi = this.#batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#batches[mid]!.modseq <= modseq) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < this.#batches.length; i++)
      for (const uid of this.#batches[i]!.uids) out.push(uid);
    return out.sort((a, b) => a - b);
  }

  /** Whether `uid` is among the UIDs remembered as expunged. */
  has(uid: number): boolean {
    if (this.#all === undefined) {
      this.#all = new Set();
      for (const b of this.#batches) for (const u of b.uids) this.#all.add(u);
    }
    return this.#all.has(uid);
  }

  #trim(): void {
    while (this.#count > MAX_REMEMBERED_EXPUNGES && this.#batches.length > 0) {
      this.#all = undefined;
      const oldest = this.#batches.shift()!;
      this.#count -= oldest.uids.length;
      this.#floor = Math.max(this.#floor, oldest.modseq);
    }
  }
}
