/**
 * STATUS data items (RFC 3501 §6.3.10, SIZE from RFC 8438), shared by STATUS and LIST's
 * RETURN (STATUS …) (RFC 5819). Items are answered in one fixed order whatever order they were
 * asked in, as Dovecot does: RFC 3501 §7.2.4 does not tie the answer's order to the request.
 *
 *   status-att = "MESSAGES" / "RECENT" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" /
 *                "HIGHESTMODSEQ" / "SIZE" / "DELETED"
 */
import { ArgumentError } from './args.js';
import type { Token } from './parser.js';
import type { MailboxCounts } from '../store/types.js';
import { quoteInput } from '../net/client-text.js';
import { wireMailboxName, type EnabledExtensions } from './utf8-accept.js';
import { rev2Enabled } from './imap4rev2.js';

/** Item name → counter, in the order answers list them. */
const ITEMS: ReadonlyMap<string, keyof MailboxCounts> = new Map([
  ['MESSAGES', 'messages'],
  ['RECENT', 'recent'],
  ['UIDNEXT', 'uidNext'],
  ['UIDVALIDITY', 'uidValidity'],
  ['UNSEEN', 'unseen'],
  ['HIGHESTMODSEQ', 'highestModseq'], // RFC 7162 §3.1.9
  ['SIZE', 'size'],
  ['DELETED', 'deleted'], // RFC 9051 §6.3.11, IMAP4rev2 sessions only
]);

/**
 * `(item …)`: a non-empty list of known items, or ArgumentError (tagged BAD). DELETED is known
 * to IMAP4rev2 sessions only (IMAP4rev1, and Dovecot 2.3, have no such item), RECENT to
 * IMAP4rev1 sessions only (RFC 9051 has no \Recent).
 */
export function statusItems(
  token: Token | undefined,
  session: EnabledExtensions,
): ReadonlySet<string> {
  if (token?.type !== 'list' || token.items.length === 0)
    throw new ArgumentError('Expected a list of STATUS items');
  const items = new Set<string>();
  for (const t of token.items) {
    const key = t.type === 'atom' ? t.value.toUpperCase() : '';
    if (!ITEMS.has(key) || key === (rev2Enabled(session) ? 'RECENT' : 'DELETED'))
      throw new ArgumentError(`Unknown STATUS item ${quoteInput(key || '?')}`);
    items.add(key);
  }
  return items;
}

/**
 * The untagged `STATUS name (item value …)` line, without the leading `* `; the name as the
 * session writes names (`utf8-accept.ts`).
 */
export function statusLine(
  name: string,
  items: ReadonlySet<string>,
  counts: MailboxCounts,
  session: EnabledExtensions,
): string {
  const values = [...ITEMS]
    .filter(([item]) => items.has(item))
    .map(([item, key]) => `${item} ${counts[key]}`);
  return `STATUS ${wireMailboxName(name, session)} (${values.join(' ')})`;
}
