/**
 * Words for the full-text index, and the constraints a SEARCH string puts on them.
 *
 * SEARCH TEXT/BODY is a case-insensitive substring test (RFC 3501 §6.4.4) of the folded needle
 * in the folded text (`mime/search-text.ts` `containsText`). The index keeps the words of the
 * same folded text: maximal runs of word characters (letters, marks, digits), each character
 * classified alone. If the folded needle occurs in the text, each of its own word runs lines up
 * with text characters of the same classes, so: a run with a non-word character on both sides
 * in the needle is a whole word of the text; the first run is a suffix of a word; the last a
 * prefix; a needle that is one run lies inside a word. Those constraints only ever keep
 * messages, so the index gives a superset of the matches, which the matcher then checks.
 */
import { fold } from '../../mime/search-text.js';
import { MAX_TERM_CHARS } from './limits.js';

const WORD_RUN = /[\p{L}\p{M}\p{N}]+/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Adds the words of already folded text to `into`; false when the text cannot be indexed (a
 * word longer than MAX_TERM_CHARS, or a lone surrogate that would break the alignment above).
 */
export function addTerms(folded: string, into: Set<string>): boolean {
  if (LONE_SURROGATE.test(folded)) return false;
  for (const [word] of folded.matchAll(WORD_RUN)) {
    if (word.length > MAX_TERM_CHARS) return false;
    into.add(word);
  }
  return true;
}

export type FragmentKind = 'whole' | 'suffix' | 'prefix' | 'inside';

export interface Fragment {
  readonly kind: FragmentKind;
  readonly text: string;
}

/**
 * The constraints of a search string on the words of a matching text, or undefined when the
 * index cannot narrow for it (no word character, a line end that the matcher folds otherwise,
 * a lone surrogate).
 */
export function queryFragments(needle: string): Fragment[] | undefined {
  const folded = fold(needle);
  if (folded.includes('\n') || LONE_SURROGATE.test(folded)) return undefined;
  const runs = [...folded.matchAll(WORD_RUN)];
  if (runs.length === 0) return undefined;
  return runs.map((run) => {
    const start = run.index;
    const end = start + run[0].length;
    const open = start > 0; // a non-word character before it, in the needle
    const closed = end < folded.length;
    const kind: FragmentKind =
      open && closed ? 'whole' : open ? 'prefix' : closed ? 'suffix' : 'inside';
    return { kind, text: run[0] };
  });
}
