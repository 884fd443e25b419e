/**
 * CONDSTORE (RFC 7162 §3.1) in a session: turning it on, and reading mod-sequence values.
 * Any "CONDSTORE enabling command" (§3.1: ENABLE CONDSTORE, SELECT/EXAMINE (CONDSTORE),
 * STATUS (HIGHESTMODSEQ), FETCH MODSEQ or CHANGEDSINCE, STORE UNCHANGEDSINCE, SEARCH MODSEQ)
 * turns it on for the rest of the session; from then on FETCH responses that carry flag
 * changes carry MODSEQ too, and every SELECT reports HIGHESTMODSEQ.
 */
import { ArgumentError } from './args.js';
import type { ImapContext } from './command.js';
import { MAX_MODSEQ_DIGITS } from './limits.js';
import type { Token } from './parser.js';

export const CONDSTORE = 'CONDSTORE';
/**
 * Mod-sequences are at most 2^63 - 1 on the wire (RFC 7162 §7, mod-sequence-value); the
 * store's values stay far below 2^53, so a larger value given by a client is clamped here
 * without changing any comparison.
 */
const MODSEQ_WIRE_MAX = 2n ** 63n - 1n;

/** Turns CONDSTORE on; in SELECTED state the first time also reports HIGHESTMODSEQ (§3.1). */
export function enableCondstore(ctx: ImapContext): boolean {
  if (ctx.enabled.has(CONDSTORE)) return false;
  ctx.enabled.add(CONDSTORE);
  if (ctx.state.kind === 'selected') {
    ctx.state.view.reportModseq = true;
    ctx.untagged(`OK [HIGHESTMODSEQ ${ctx.state.view.highestModseq}] Highest`);
  }
  return true;
}

/**
 * A mod-sequence-valzer (`allowZero`) or mod-sequence-value (RFC 7162 §7) given by the client.
 */
export function modseqArg(token: Token | undefined, allowZero: boolean): number {
  const text = token?.type === 'atom' ? token.value : '';
  if (!/^\d+$/.test(text) || text.length > MAX_MODSEQ_DIGITS)
    throw new ArgumentError('Expected a mod-sequence number');
  const value = BigInt(text);
  if (value > MODSEQ_WIRE_MAX || (!allowZero && value === 0n))
    throw new ArgumentError('Mod-sequence out of range');
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/**
 * The modifiers of FETCH and STORE (`(CHANGEDSINCE 5)`): name → its argument token. Unknown
 * names are BAD, as each command knows only its own.
 */
export function modifiers(token: Token | undefined, known: readonly string[]): Map<string, Token> {
  if (token?.type !== 'list' || token.items.length === 0)
    throw new ArgumentError('Expected a list of modifiers');
  const out = new Map<string, Token>();
  const items = token.items;
  for (let i = 0; i < items.length; i += 2) {
    const name =
      items[i]?.type === 'atom' ? (items[i] as { value: string }).value.toUpperCase() : '';
    if (!known.includes(name) || out.has(name) || !items[i + 1])
      throw new ArgumentError('Unknown or repeated modifier');
    out.set(name, items[i + 1]!);
  }
  return out;
}
