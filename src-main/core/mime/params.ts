/**
 * `type/subtype; name=value; …` (RFC 2045 §5.1) and `disposition; params` (RFC 2183), tolerant
 * of the malformed forms real mail has: missing values, stray semicolons, unterminated quotes.
 */
export interface ParsedValue {
  /** The token before the first ";" (e.g. `text/plain`), as written. */
  readonly value: string;
  readonly params: [string, string][];
}

export function parseParams(text: string): ParsedValue {
  const s = text.replace(/\([^()]*\)/g, ' '); // RFC 5322 comments (not nested)
  let i = 0;
  const skipSpace = (): void => {
    while (i < s.length && /[ \t\r\n]/.test(s[i]!)) i++;
  };
  skipSpace();
  const start = i;
  while (i < s.length && s[i] !== ';') i++;
  const value = s.slice(start, i).trim();
  const params: [string, string][] = [];
  while (i < s.length) {
    i++; // ';'
    skipSpace();
    const nameStart = i;
    while (i < s.length && s[i] !== '=' && s[i] !== ';') i++;
    const name = s.slice(nameStart, i).trim();
    if (s[i] !== '=') continue;
    i++;
    skipSpace();
    let paramValue = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        paramValue += s[i++];
      }
      i++;
      while (i < s.length && s[i] !== ';') i++;
    } else {
      const valueStart = i;
      while (i < s.length && s[i] !== ';') i++;
      paramValue = s.slice(valueStart, i).trim();
    }
    if (name && /^[\x21-\x7e]+$/.test(name)) params.push([name, paramValue]);
  }
  return { value, params };
}
