/**
 * `dovecot-keywords`: one `<index> <name>` per line; index 0–25 is flag letter a–z in file names.
 */
export const MAX_KEYWORDS = 26;

export function parseKeywords(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\S+)$/.exec(line.trim());
    if (!match) continue;
    const index = Number(match[1]);
    if (index < MAX_KEYWORDS) names[index] = match[2]!;
  }
  return names;
}

export function formatKeywords(names: readonly (string | undefined)[]): string {
  return names.map((name, index) => (name ? `${index} ${name}\n` : '')).join('');
}

export function keywordLetter(index: number): string {
  return String.fromCharCode(97 + index);
}
