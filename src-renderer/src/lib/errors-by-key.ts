/** Where an error from updateSettings belongs in a form. */

/**
 * Splits an error message from updateSettings into the part for each setting key it names
 * (`limits.maxConnections: …`) or listener (`imap: Another program…`); the rest is general.
 */
export function errorsByKey(message: string, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const sorted = [...keys].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?:^|\\s|\\n)(${sorted.map(escape).join('|')}): `, 'g');
  const hits = [...message.matchAll(pattern)];
  hits.forEach((hit, i) => {
    const start = (hit.index ?? 0) + hit[0].length;
    const end = hits[i + 1]?.index ?? message.length;
    const key = hit[1]!;
    out[key] = message.slice(start, end).trim();
  });
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
