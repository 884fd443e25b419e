/**
 * SEARCH [CHARSET charset] keys — RFC 3501 §6.4.4; UID SEARCH answers with UIDs.
 * Search strings may come in any charset Node's TextDecoder knows (as Dovecot accepts any
 * iconv knows); others get [BADCHARSET (UTF-8 US-ASCII)].
 */
import { TextDecoder } from 'node:util';
import { ArgumentError } from '../args.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { selectedView } from '../command.js';
import type { Token } from '../parser.js';
import { no, ok, type CommandResult } from '../response.js';
import { matches, matchesNow } from '../search/evaluate.js';
import { parseSearchKeys } from '../search/keys.js';
import { SELECTED } from '../state.js';
import { quoteInput } from '../../net/client-text.js';
import { enableCondstore } from '../condstore.js';
import type { SearchKey } from '../search/keys.js';

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

function decoderFor(charset: string): TextDecoder | undefined {
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
  let decoder = new TextDecoder('utf-8');
  const first = args[0];
  if (first?.type === 'atom' && first.value.toUpperCase() === 'CHARSET') {
    const charset =
      args[1]?.type === 'atom' || args[1]?.type === 'string' ? tokenText(args[1]) : '';
    if (!charset) throw new ArgumentError('CHARSET needs a name');
    const chosen = decoderFor(charset);
    if (!chosen)
      return no(`Unsupported charset ${quoteInput(charset)}`, 'BADCHARSET (UTF-8 US-ASCII)');
    decoder = chosen;
    tokens = args.slice(2);
  }
  const key = parseSearchKeys(tokens, (t) => {
    if (t?.type === 'atom') return t.value;
    if (t?.type === 'string') return decoder.decode(t.value);
    throw new ArgumentError('Missing search string');
  });
  const found: number[] = [];
  let highestModseq = 0;
  for (const [index, uid] of view.uids.entries()) {
    if (view.isVanished(uid)) continue;
    const candidate = { uid, seq: index + 1 };
    // Most messages are answered from the record and the cache, without a file read.
    const hit = matchesNow(view, candidate, key) ?? (await matches(view, candidate, key));
    if (!hit) continue;
    found.push(byUid ? uid : index + 1);
    highestModseq = Math.max(highestModseq, view.record(uid)!.modseq);
  }
  // RFC 7162 §3.1.5: with a MODSEQ key, the highest MODSEQ of the messages found.
  const withModseq = hasModseqKey(key) && found.length > 0;
  if (hasModseqKey(key)) enableCondstore(ctx);
  const modseq = withModseq ? ` (MODSEQ ${highestModseq})` : '';
  ctx.untagged(`SEARCH${found.map((n) => ` ${n}`).join('')}${modseq}`);
  return ok('Search completed.');
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
