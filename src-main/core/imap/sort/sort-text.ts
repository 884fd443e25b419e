/**
 * Text as SORT compares it (RFC 5256 §2.1 leaves the collation to the server; "i;unicode-casemap"
 * as Dovecot implements it): each character title-cased and canonically decomposed, and strings compared
 * by their UTF-8 octets.
 */

/**
 * Each character title-cased (the simple one-to-one mapping), then decomposed (canonical and
 * compatibility decompositions) unless the title-cased form is one with a title case of its
 * own, as Dovecot's `uni_utf8_to_decomposed_titlecase` does: "é" → "E" U+0301, "ﬁ" → "fi"
 * (decomposed after title-casing, so not upper-cased), "ß" and "ǅ" stay as they are.
 */
export function sortKeyText(text: string): string {
  let out = '';
  for (const ch of text) {
    const upper = ch.toUpperCase();
    const title = TITLECASE.get(ch) ?? ([...upper].length === 1 ? upper : ch);
    out += OWN_TITLECASE.has(title) ? title : title.normalize('NFKD');
  }
  return out;
}

/** Runs of code points [first of run, length, offset to its title case]. */
const TITLECASE_RUNS: readonly (readonly [number, number, number])[] = [
  [0x01c4, 1, 1], // Ǆ → ǅ
  [0x01c6, 1, -1], // ǆ → ǅ
  [0x01c7, 1, 1],
  [0x01c9, 1, -1],
  [0x01ca, 1, 1],
  [0x01cc, 1, -1],
  [0x01f1, 1, 1],
  [0x01f3, 1, -1],
  [0x1f80, 8, 8], // Greek with ypogegrammeni → with prosgegrammeni
  [0x1f90, 8, 8],
  [0x1fa0, 8, 8],
  [0x1fb3, 1, 9],
  [0x1fc3, 1, 9],
  [0x1ff3, 1, 9],
];

/** Where a character's title case differs from its upper case (UnicodeData.txt field 14). */
const TITLECASE: ReadonlyMap<string, string> = new Map(
  TITLECASE_RUNS.flatMap(([first, length, offset]) =>
    Array.from({ length }, (_, i): [string, string] => [
      String.fromCodePoint(first + i),
      String.fromCodePoint(first + i + offset),
    ]),
  ),
);

/** Title-case forms that are their own title case, left undecomposed. */
const OWN_TITLECASE: ReadonlySet<string> = new Set(TITLECASE.values());

/** strcmp of the UTF-8 forms: code point order. */
export function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
