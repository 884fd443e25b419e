/**
 * SEARCH [RETURN (options)] [CHARSET charset] keys — RFC 3501 §6.4.4, ESEARCH (RFC 4731 §3.1),
 * SEARCHRES (RFC 5182 §2); UID SEARCH answers with UIDs.
 * Search strings may come in any charset Node's TextDecoder knows (as Dovecot accepts any
 * iconv knows); others get [BADCHARSET (UTF-8 US-ASCII)]. Under UTF8=ACCEPT a CHARSET is BAD
 * (RFC 6855 §3); under IMAP4rev2 the answer is always ESEARCH (RFC 9051 §6.4.4).
 */
import { TextDecoder } from 'node:util';
import { ArgumentError } from '../args.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { selectedView } from '../command.js';
import type { Token } from '../parser.js';
import { no, ok, type CommandResult } from '../response.js';
import type { Candidate } from '../search/evaluate.js';
import { scanMessages } from '../search/scan.js';
import type { MailboxView } from '../mailbox-view.js';
import { parseSearchKeys } from '../search/keys.js';
import { textExclusion } from '../search/narrow.js';
import { esearchLine, returnOptions, savedUids, type ReturnOption } from '../search/results.js';
import { SELECTED } from '../state.js';
import { quoteInput } from '../../net/client-text.js';
import { enableCondstore } from '../condstore.js';
import type { SearchKey } from '../search/keys.js';
import { utf8Accepted, type EnabledExtensions } from '../utf8-accept.js';
import { rev2Enabled } from '../imap4rev2.js';

function hasModseqKey(key: SearchKey): boolean {
  switch (key.op) {
    case 'modseq':
      return true;
    case 'not':
      return hasModseqKey(key.key);
    case 'or':
      return hasModseqKey(key.a) || hasModseqKey(key.b);
    case 'and':
      return key.keys.some(hasModseqKey);
    default:
      return false;
  }
}

export function decoderFor(charset: string): TextDecoder | undefined {
  try {
    return new TextDecoder(charset.toLowerCase() === 'us-ascii' ? 'utf-8' : charset);
  } catch {
    return undefined;
  }
}

async function run(
  ctx: ImapContext,
  args: readonly Token[],
  byUid: boolean,
): Promise<CommandResult> {
  const view = selectedView(ctx);
  let tokens = args;
  let options: Set<ReturnOption> | undefined;
  if (isAtom(tokens[0], 'RETURN')) {
    options = returnOptions(tokens[1]);
    tokens = tokens.slice(2);
  }
  // RFC 9051 §6.4.4: IMAP4rev2 has no SEARCH response; without RETURN it is RETURN (ALL).
  if (!options && rev2Enabled(ctx)) options = new Set<ReturnOption>(['ALL']);
  let decoder = new TextDecoder('utf-8');
  if (isAtom(tokens[0], 'CHARSET')) {
    // RFC 6855 §3: once UTF8=ACCEPT is on, strings are UTF-8 and a charset label conflicts.
    if (utf8Accepted(ctx)) throw new ArgumentError('No CHARSET once UTF8=ACCEPT is enabled');
    const charset =
      tokens[1]?.type === 'atom' || tokens[1]?.type === 'string' ? tokenText(tokens[1]) : '';
    if (!charset) throw new ArgumentError('CHARSET needs a name');
    const chosen = decoderFor(charset);
    if (!chosen) {
      // RFC 5182 §2.1: a SEARCH with SAVE that fails with NO empties `$`.
      if (options?.has('SAVE')) view.savedResult = new Set();
      return no(`Unsupported charset ${quoteInput(charset)}`, 'BADCHARSET (UTF-8 US-ASCII)');
    }
    decoder = chosen;
    tokens = tokens.slice(2);
  }
  const key = searchProgram(tokens, decoder);
  const hits = await matchingKey(view, key);
  const found = hits.map((h) => (byUid ? h.uid : h.seq));
  // RFC 7162 §3.1.5: with a MODSEQ key, the highest MODSEQ of the messages found.
  const withModseq = hasModseqKey(key);
  if (withModseq) enableCondstore(ctx);
  const highest = hits.reduce((max, h) => Math.max(max, view.record(h.uid)?.modseq ?? 0), 0);
  if (!options) {
    const modseq = withModseq && hits.length > 0 ? ` (MODSEQ ${highest})` : '';
    ctx.untagged(`SEARCH${found.map((n) => ` ${n}`).join('')}${modseq}`);
    return ok('Search completed.');
  }
  if (options.has('SAVE')) {
    const uids = hits.map((h) => h.uid);
    view.savedResult = new Set(savedUids(options, uids));
  }
  const line = esearchLine(ctx.tag, byUid, options, found);
  // RFC 7162 §3.1.5 (with RFC 4731): ESEARCH carries `MODSEQ n` when anything was found.
  if (line !== undefined)
    ctx.untagged(withModseq && hits.length > 0 ? `${line} MODSEQ ${highest}` : line);
  return ok('Search completed.');
}

/**
 * The messages the search keys in `tokens` select, in sequence order (SEARCH, and the
 * search program of SORT and THREAD, RFC 5256 §3). Strings are decoded with `decoder`.
 */
export async function matchingMessages(
  view: MailboxView,
  tokens: readonly Token[],
  decoder: TextDecoder,
): Promise<Candidate[]> {
  return matchingKey(view, searchProgram(tokens, decoder));
}

/** The search keys of `tokens`, their strings decoded with `decoder`. */
function searchProgram(tokens: readonly Token[], decoder: TextDecoder): SearchKey {
  return parseSearchKeys(tokens, (t) => {
    if (t?.type === 'atom') return t.value;
    if (t?.type === 'string') return decoder.decode(t.value);
    throw new ArgumentError('Missing search string');
  });
}

/**
 * The full-text index narrows the candidates (only messages that certainly fail are left
 * out), then the scan checks every one left (`search/scan.ts`).
 */
async function matchingKey(view: MailboxView, key: SearchKey): Promise<Candidate[]> {
  const excluded = await textExclusion(view, key);
  const candidates: Candidate[] = [];
  for (const [index, uid] of view.uids.entries())
    if (!view.isVanished(uid) && !excluded?.(uid)) candidates.push({ uid, seq: index + 1 });
  return scanMessages(view, candidates, key);
}

/**
 * The charset that SORT and THREAD name before their search keys (RFC 5256 §3), as the decoder
 * of the search strings, or the NO to answer when it is not known.
 */
export function searchCharset(
  token: Token | undefined,
  session: EnabledExtensions,
): { decoder: TextDecoder } | { refusal: CommandResult } {
  const name = token?.type === 'atom' || token?.type === 'string' ? tokenText(token) : '';
  if (!name) throw new ArgumentError('Missing charset');
  // RFC 6855 §3, erratum 4029: with UTF8=ACCEPT on, a mandatory charset must be UTF-8.
  if (utf8Accepted(session) && name.toUpperCase() !== 'UTF-8')
    throw new ArgumentError('Only UTF-8 once UTF8=ACCEPT is enabled');
  const decoder = decoderFor(name);
  if (decoder) return { decoder };
  return {
    refusal: no(`Unsupported charset ${quoteInput(name)}`, 'BADCHARSET (UTF-8 US-ASCII)'),
  };
}

function isAtom(token: Token | undefined, word: string): boolean {
  return token?.type === 'atom' && token.value.toUpperCase() === word;
}

function tokenText(token: Token): string {
  if (token.type === 'atom') return token.value;
  if (token.type === 'string') return token.value.toString('utf8');
  throw new ArgumentError('Expected a string');
}

export const search: ImapCommand = {
  name: 'SEARCH',
  states: SELECTED,
  allowsExpunge: false,
  handle: (ctx, args) => run(ctx, args, false),
};

export const uidSearch: ImapCommand = {
  name: 'UID SEARCH',
  states: SELECTED,
  handle: (ctx, args) => run(ctx, args, true),
};
