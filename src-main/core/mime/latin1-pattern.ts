/**
 * Matching a folded ASCII search string against Latin-1 text without folding the text
 * (SEARCH's case-insensitive substring, RFC 3501 §6.4.4, as `fold` defines it). Folding a
 * Latin-1 text maps each lower-cased character on its own (`LATIN1_FOLD` in
 * `search-text.ts`), so `fold(text)` contains an ASCII needle n₁…nₖ exactly when the
 * lower-cased text has k consecutive characters where the first one's fold ends with n₁
 * (`¼` gives "…4"), each middle one's fold is nᵢ itself (`a`, `ª`, a no-break space for a
 * space…) and the last one's fold begins with nₖ (`é` gives "e…"). That holds when no
 * character's fold gives two ASCII characters in a row at either end; `ß` ("ss") is the only
 * Latin-1 one, and it is written as "ss" in the lower-cased text first (same fold). The
 * table is checked for the rule once, so a Unicode update that broke it would turn this off
 * rather than give other answers.
 * A regular expression with one character class per needle character tests that in one pass
 * over the lower-cased text, several times faster than folding the text.
 */

const SHARP_S = '\xdf';
const LATIN1_TEXT = /^[\x00-\xff]*$/;
/** Longer needles are matched by folding the text (the expression grows with the needle). */
const PATTERN_MAX_CHARS = 256;
const NON_ASCII = /[^\x00-\x7f]/;

/** Whether every fold but ß's has at most one ASCII character at its start and its end. */
function ruleHolds(table: readonly string[]): boolean {
  return table.every((folded, code) => {
    if (code === SHARP_S.charCodeAt(0)) return true;
    if (!NON_ASCII.test(folded)) return folded.length === 1;
    const ascii = (at: number): boolean =>
      at >= 0 && at < folded.length && !NON_ASCII.test(folded[at]!);
    return !(ascii(0) && ascii(1)) && !(ascii(folded.length - 1) && ascii(folded.length - 2));
  });
}

function charClass(table: readonly string[], accepts: (folded: string) => boolean): string {
  let out = '';
  for (const [code, folded] of table.entries())
    if (accepts(folded)) out += `\\x${code.toString(16).padStart(2, '0')}`;
  return `[${out}]`;
}

export class Latin1Patterns {
  readonly #table: readonly string[] | undefined;
  #last: { needle: string; pattern: RegExp | undefined } | undefined;

  /** `table[code]` is the fold of the Latin-1 character `code` (already lower-cased). */
  constructor(table: readonly string[]) {
    this.#table = ruleHolds(table) ? table : undefined;
  }

  /**
   * Whether the folded text contains `folded` (a folded needle), or undefined when this way
   * cannot tell (a needle that is not ASCII, empty or long, or text outside Latin-1).
   */
  contains(text: string, folded: string): boolean | undefined {
    const pattern = this.#pattern(folded);
    if (!pattern || !LATIN1_TEXT.test(text)) return undefined;
    return pattern.test(text.toLowerCase().replaceAll(SHARP_S, 'ss'));
  }

  #pattern(folded: string): RegExp | undefined {
    if (this.#last?.needle !== folded)
      this.#last = { needle: folded, pattern: this.#build(folded) };
    return this.#last.pattern;
  }

  #build(n: string): RegExp | undefined {
    const table = this.#table;
    if (!table || n.length === 0 || n.length > PATTERN_MAX_CHARS || NON_ASCII.test(n))
      return undefined;
    if (n.length === 1) return new RegExp(charClass(table, (f) => f.includes(n)));
    const classes = [charClass(table, (f) => f.endsWith(n[0]!))];
    for (const c of n.slice(1, -1)) classes.push(charClass(table, (f) => f === c));
    classes.push(charClass(table, (f) => f.startsWith(n.at(-1)!)));
    return new RegExp(classes.join(''));
  }
}
