/**
 * What SEARCH returns. Plain SEARCH answers `* SEARCH n…` (RFC 3501 §7.2.5). With
 * `RETURN (…)` it answers one `* ESEARCH` (RFC 4731 §3.1) and may save the result for `$`
 * (RFC 5182 §2).
 *
 *   search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
 *   search-return-opt  = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE"
 */
import { ArgumentError } from '../args.js';
import type { Token } from '../parser.js';
import { formatNumbers } from '../sequence-set.js';
import { quoteInput } from '../../net/client-text.js';

export type ReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE';
const OPTIONS = new Set<string>(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);

/** The options of a RETURN list; `RETURN ()` means ALL (RFC 4731 §3.1). */
export function returnOptions(list: Token | undefined): Set<ReturnOption> {
  if (list?.type !== 'list') throw new ArgumentError('RETURN needs a list of options');
  const options = new Set<ReturnOption>();
  for (const item of list.items) {
    const name = item.type === 'atom' ? item.value.toUpperCase() : '';
    if (!OPTIONS.has(name))
      throw new ArgumentError(`Unknown search return option ${quoteInput(name || '?')}`);
    options.add(name as ReturnOption);
  }
  if (options.size === 0) options.add('ALL');
  return options;
}

/**
 * The `* ESEARCH` line for ascending `found` numbers (UIDs when `byUid`), its parts in the
 * order Dovecot sends them; MIN, MAX and ALL are left out when nothing matched (RFC 4731
 * §3.1). Undefined when SAVE is the only option: nothing is returned then (RFC 5182 §2.2).
 */
export function esearchLine(
  tag: string,
  byUid: boolean,
  options: ReadonlySet<ReturnOption>,
  found: readonly number[],
): string | undefined {
  if (options.size === 1 && options.has('SAVE')) return undefined;
  let line = `ESEARCH (TAG "${tag}")${byUid ? ' UID' : ''}`;
  if (found.length > 0) {
    if (options.has('MIN')) line += ` MIN ${found[0]}`;
    if (options.has('MAX')) line += ` MAX ${found.at(-1)}`;
    if (options.has('ALL')) line += ` ALL ${formatNumbers(found)}`;
  }
  if (options.has('COUNT')) line += ` COUNT ${found.length}`;
  return line;
}

/**
 * The UIDs `$` names after SEARCH RETURN (SAVE …): with MIN or MAX but neither ALL nor COUNT,
 * only the messages those name; otherwise every message found (RFC 5182 §2.4).
 */
export function savedUids(options: ReadonlySet<ReturnOption>, found: readonly number[]): number[] {
  if (options.has('ALL') || options.has('COUNT')) return [...found];
  if (!options.has('MIN') && !options.has('MAX')) return [...found];
  const picked = new Set<number>();
  if (options.has('MIN') && found.length > 0) picked.add(found[0]!);
  if (options.has('MAX') && found.length > 0) picked.add(found.at(-1)!);
  return [...picked];
}
