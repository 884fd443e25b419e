/**
 * QRESYNC (RFC 7162 §3.2) in a session: turning it on, and the UIDs a client is told are gone
 * (`VANISHED (EARLIER)`, §3.2.5.2 and §3.2.6). Once on, the view reports expunges as VANISHED
 * and FETCH responses with their UID (`MailboxView.qresync`).
 */
import { ArgumentError, sequenceSet } from './args.js';
import type { ImapContext } from './command.js';
import { enableCondstore, modseqArg } from './condstore.js';
import { MAX_SEQ_MATCH_NUMBERS } from './limits.js';
import type { MailboxView } from './mailbox-view.js';
import type { Token } from './parser.js';
import type { CommandResult } from './response.js';
import { normalise, SAVED_RESULT, type NumberRanges } from './sequence-set.js';

export const QRESYNC = 'QRESYNC';

/** Turns QRESYNC on, and CONDSTORE with it (RFC 7162 §3.2.3); true when it was off. */
export function enableQresync(ctx: ImapContext): boolean {
  enableCondstore(ctx);
  if (ctx.enabled.has(QRESYNC)) return false;
  ctx.enabled.add(QRESYNC);
  if (ctx.state.kind === 'selected') ctx.state.view.qresync = true;
  return true;
}

/**
 * The tagged reply with HIGHESTMODSEQ when the view has one to give (`modseqNotice`): in the
 * reply's code when it is an OK without one, else in an untagged OK first, as Dovecot does.
 */
export function withModseqNotice(
  result: CommandResult,
  notice: number | undefined,
  untagged: (line: string) => void,
): CommandResult {
  if (notice === undefined) return result;
  if (result.status === 'OK' && !result.code) return { ...result, code: `HIGHESTMODSEQ ${notice}` };
  untagged(`OK [HIGHESTMODSEQ ${notice}] Highest`);
  return result;
}

/** SELECT's `QRESYNC (uidvalidity modseq [known-uids [(seqs uids)]])` (RFC 7162 §3.2.5). */
export interface QresyncParams {
  readonly uidValidity: number;
  readonly modseq: number;
  /** The UIDs the client knows; every UID when absent. */
  readonly knownUids?: NumberRanges;
  /** Message numbers and the UIDs the client had for them, pairwise (§3.2.5.2). */
  readonly seqMatch?: { readonly seqs: number[]; readonly uids: number[] };
}

const UID_MAX = 0xffffffff;

export function qresyncParams(token: Token | undefined): QresyncParams {
  const items = token?.type === 'list' ? token.items : [];
  if (items.length < 2 || items.length > 4) throw new ArgumentError('Invalid QRESYNC parameters');
  const validity = items[0]?.type === 'atom' ? items[0].value : '';
  if (!/^[1-9]\d{0,9}$/.test(validity) || Number(validity) > UID_MAX)
    throw new ArgumentError('Invalid UIDVALIDITY in QRESYNC');
  // Zero is accepted as Dovecot accepts it: "everything changed" (the grammar wants ≥ 1).
  const modseq = modseqArg(items[1], true);
  const knownUids = items[2] && uidRanges(items[2]);
  let seqMatch: QresyncParams['seqMatch'];
  if (items[3]) {
    const pair = items[3].type === 'list' ? items[3].items : [];
    if (pair.length !== 2) throw new ArgumentError('Invalid QRESYNC sequence match data');
    const seqs = expand(uidRanges(pair[0]));
    const uids = expand(uidRanges(pair[1]));
    if (seqs.length !== uids.length)
      throw new ArgumentError('QRESYNC sequence match data of different lengths');
    seqMatch = { seqs, uids };
  }
  return {
    uidValidity: Number(validity),
    modseq,
    ...(knownUids && { knownUids }),
    ...(seqMatch && { seqMatch }),
  };
}

/** A set of numbers without `*` or `$`, normalised. */
function uidRanges(token: Token | undefined): NumberRanges {
  const set = sequenceSet(token);
  if (set === SAVED_RESULT || set.some(([a, b]) => a === '*' || b === '*'))
    throw new ArgumentError('Expected UIDs without * or $');
  return normalise(set, 0);
}

/** The numbers of normalised ranges; at most MAX_SEQ_MATCH_NUMBERS of them (a client's sample). */
function expand(ranges: NumberRanges): number[] {
  const out: number[] = [];
  for (const [first, last] of ranges) {
    if (out.length + (last - first + 1) > MAX_SEQ_MATCH_NUMBERS)
      throw new ArgumentError('QRESYNC sequence match data too long');
    for (let n = first; n <= last; n++) out.push(n);
  }
  return out;
}

/**
 * The UIDs in `known` (normalised ranges; every UID below UIDNEXT when absent) that vanished
 * after `modseq` and that the view no longer has, as ranges. Exact from the mailbox's history
 * when it reaches back to `modseq`; otherwise every known UID below UIDNEXT that is not there
 * (RFC 7162 §3.2.5.2 allows reporting UIDs the client never saw), above the highest UID that
 * `seqMatch` shows has the same message number on both sides (nothing below it can be gone).
 */
export function vanishedSince(
  view: MailboxView,
  modseq: number,
  known: NumberRanges | undefined,
  seqMatch?: QresyncParams['seqMatch'],
): NumberRanges {
  const top = view.uidNext - 1;
  const wanted = known ?? (top >= 1 ? [[1, top] as const] : []);
  const history = view.mailbox.expungedSince(modseq);
  if (history) return toRanges(history.filter((uid) => inRanges(wanted, uid) && !view.seqOf(uid)));
  const above = seqMatch ? highestMatching(view, seqMatch) : 0;
  return missing(view.uids, wanted, above + 1, top);
}

/** The highest UID the client had at the message number the view has it at now. */
function highestMatching(
  view: MailboxView,
  { seqs, uids }: NonNullable<QresyncParams['seqMatch']>,
) {
  let best = 0;
  for (let i = 0; i < seqs.length; i++)
    if (view.uidAt(seqs[i]!) === uids[i] && uids[i]! > best) best = uids[i]!;
  return best;
}

/** The numbers of `ranges` within [low, high] that are not in ascending `present`. */
function missing(
  present: readonly number[],
  ranges: NumberRanges,
  low: number,
  high: number,
): NumberRanges {
  const out: [number, number][] = [];
  let p = 0;
  for (const [a, b] of ranges) {
    let from = Math.max(a, low);
    const to = Math.min(b, high);
    if (from > to) continue;
    p = firstAtLeast(present, from, p);
    while (from <= to) {
      const next = p < present.length ? present[p]! : Infinity;
      if (next > to) {
        out.push([from, to]);
        break;
      }
      if (next > from) out.push([from, next - 1]);
      from = next + 1;
      p++;
    }
  }
  return out;
}

/** The first index at or after `start` of ascending `numbers` whose value is at least `n`. */
function firstAtLeast(numbers: readonly number[], n: number, start: number): number {
  let lo = start;
  let hi = numbers.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (numbers[mid]! < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function inRanges(ranges: NumberRanges, n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [first, last] = ranges[mid]!;
    if (n < first) hi = mid - 1;
    else if (n > last) lo = mid + 1;
    else return true;
  }
  return false;
}

function toRanges(uids: readonly number[]): NumberRanges {
  const out: [number, number][] = [];
  for (const uid of uids) {
    const last = out.at(-1);
    if (last && uid === last[1] + 1) last[1] = uid;
    else out.push([uid, uid]);
  }
  return out;
}

/** `1:3,7` */
export function formatRanges(ranges: NumberRanges): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(',');
}
