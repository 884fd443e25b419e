/**
 * Turning tokens into typed arguments: the shapes commands share (astring, mailbox, number,
 * sequence set, flag list). Each returns undefined when the token does not fit; commands
 * answer BAD with their own grammar.
 */
import { decodeModifiedUtf7, isInbox } from '../store/mailbox-name.js';
import { StoreError } from '../store/errors.js';
import type { Token } from './parser.js';
import { parseSequenceSet, type SequenceSet } from './sequence-set.js';
import { quoteInput } from '../net/client-text.js';
import { utf8MailboxText, utf8Names, type EnabledExtensions } from './utf8-accept.js';

export class ArgumentError extends Error {
  override name = 'ArgumentError';
}

/** astring: an atom, quoted string or literal, as text (UTF-8 bytes decoded). */
export function astring(token: Token | undefined): string | undefined {
  if (!token) return undefined;
  if (token.type === 'atom') return token.value;
  if (token.type === 'string') return token.value.toString('utf8');
  return undefined;
}

/**
 * A mailbox name from the wire as the store's Unicode name; INBOX any case. Modified UTF-7
 * (RFC 3501 §5.1.3), or UTF-8 once the session enabled UTF8=ACCEPT (RFC 6855 §3) or
 * IMAP4rev2 (RFC 9051 §5.1).
 */
export function mailboxName(token: Token | undefined, session: EnabledExtensions): string {
  const raw = utf8Names(session) ? utf8Astring(token) : astring(token);
  if (raw === undefined) throw new ArgumentError('Missing mailbox name');
  if (isInbox(raw)) return 'INBOX';
  try {
    const name = utf8Names(session) ? raw : decodeModifiedUtf7(raw);
    return name.toUpperCase().startsWith('INBOX/') ? `INBOX${name.slice(5)}` : name;
  } catch (err) {
    if (err instanceof StoreError) throw new ArgumentError(err.message);
    throw err;
  }
}

/**
 * An astring holding a UTF-8 mailbox name or pattern (RFC 6855 §3), as Unicode; undefined when
 * the token is no astring, ArgumentError when its octets are no name. An atom's 8-bit octets
 * are read as UTF-8 too: the grammar wants them quoted, but reading them does no harm.
 */
export function utf8Astring(token: Token | undefined): string | undefined {
  if (token?.type !== 'atom' && token?.type !== 'string') return undefined;
  const bytes = token.type === 'atom' ? Buffer.from(token.value, 'latin1') : token.value;
  const decoded = utf8MailboxText(bytes);
  if ('refusal' in decoded) throw new ArgumentError(decoded.refusal);
  return decoded.text;
}

export function sequenceSet(token: Token | undefined): SequenceSet {
  const set = token?.type === 'atom' ? parseSequenceSet(token.value) : undefined;
  if (!set) throw new ArgumentError('Invalid sequence set');
  return set;
}

export function number(token: Token | undefined): number {
  if (token?.type !== 'atom' || !/^\d{1,10}$/.test(token.value))
    throw new ArgumentError('Expected a number');
  const n = Number(token.value);
  if (n > 0xffffffff) throw new ArgumentError('Number too large');
  return n;
}

const SYSTEM_FLAGS = new Map(
  ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]),
);
/**
 * flag-keyword = atom (RFC 3501 §9): 7-bit ATOM-CHARs only. An 8-bit keyword would be stored in
 * `dovecot-keywords` and then shown in every FLAGS and PERMANENTFLAGS response, where 8-bit is
 * not allowed outside a literal.
 */
const KEYWORD = /^[\x21-\x7e]+$/;
const ATOM_SPECIALS = /[(){%*"\\\]]/;

/** flag-list or a single flag (STORE allows both); system flags in their canonical case. */
export function flags(token: Token | undefined, allowRecent = false): string[] {
  const items = token?.type === 'list' ? token.items : token ? [token] : [];
  if (!token) throw new ArgumentError('Missing flags');
  return items.map((item) => {
    if (item.type !== 'atom') throw new ArgumentError('Flags are atoms');
    const system = SYSTEM_FLAGS.get(item.value.toLowerCase());
    if (system) return system;
    if (allowRecent && item.value.toLowerCase() === '\\recent') return '\\Recent';
    if (item.value.startsWith('\\'))
      throw new ArgumentError(`Invalid system flag ${quoteInput(item.value)}`);
    if (!KEYWORD.test(item.value) || ATOM_SPECIALS.test(item.value))
      throw new ArgumentError(`Invalid keyword ${quoteInput(item.value)}`);
    return item.value;
  });
}

export function atom(token: Token | undefined): string | undefined {
  return token?.type === 'atom' ? token.value : undefined;
}

export function expectCount(args: readonly Token[], min: number, max = min): void {
  if (args.length < min) throw new ArgumentError('Missing arguments');
  if (args.length > max) throw new ArgumentError('Too many arguments');
}
