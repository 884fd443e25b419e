/**
 * LIST patterns (RFC 3501 §6.3.8): `*` matches anything, `%` anything but the hierarchy
 * separator. INBOX matches in any case.
 */
import { HIERARCHY_SEPARATOR } from '../store/mailbox-name.js';

export function patternMatcher(pattern: string): (name: string) => boolean {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '%') source += `[^${HIERARCHY_SEPARATOR}]*`;
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`, 's');
  const inboxSpelling = /^inbox/i.test(pattern) ? pattern.slice(0, 5) : undefined;
  return (name: string) => {
    if (regex.test(name)) return true;
    // INBOX matches in any case (its children keep their own case after "INBOX/").
    const isInboxName = name === 'INBOX' || name.startsWith('INBOX/');
    return !!inboxSpelling && isInboxName && regex.test(inboxSpelling + name.slice(5));
  };
}

/** `A/B/C` → [`A`, `A/B`]. */
export function parentsOf(name: string): string[] {
  const levels = name.split(HIERARCHY_SEPARATOR);
  return levels.slice(1).map((_, i) => levels.slice(0, i + 1).join(HIERARCHY_SEPARATOR));
}
