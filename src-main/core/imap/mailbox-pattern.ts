/**
 * LIST patterns (RFC 3501 §6.3.8): `*` matches anything, `%` anything but the hierarchy
 * separator. INBOX matches in any case.
 *
 * Matching never backtracks: a pattern is a list of steps, and the matcher walks the name once,
 * keeping the set of steps that the name read so far can have reached (a dynamic programme over
 * positions). A name of n characters against a pattern of m steps costs O(n × m) at worst,
 * whatever the pattern, so no LIST can hold up the process (a regular expression built from
 * `*a*a*a…b` backtracked for minutes).
 */
import { HIERARCHY_SEPARATOR } from '../store/mailbox-name.js';

const STAR = -1;
const PERCENT = -2;
const SEPARATOR = HIERARCHY_SEPARATOR.charCodeAt(0);

/** A pattern as steps: a UTF-16 code unit to match, or STAR / PERCENT. Runs of wildcards merge. */
function compile(pattern: string): Int32Array {
  const steps: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    const step = ch === '*' ? STAR : ch === '%' ? PERCENT : pattern.charCodeAt(i);
    const last = steps[steps.length - 1];
    if (step < 0 && last !== undefined && last < 0) {
      // `**` is `*`, `%%` is `%`, and `*` next to `%` is `*` (it matches whatever `%` does).
      if (step === STAR) steps[steps.length - 1] = STAR;
      continue;
    }
    steps.push(step);
  }
  return Int32Array.from(steps);
}

/** Marks every step reachable from a reached wildcard without reading (wildcards match ""). */
function closeOverEmpty(steps: Int32Array, reached: Uint8Array): void {
  for (let i = 0; i < steps.length; i++) if (reached[i] && steps[i]! < 0) reached[i + 1] = 1;
}

/** Whether all of `name` matches all of `steps`. */
function matchSteps(steps: Int32Array, name: string): boolean {
  const size = steps.length + 1;
  let reached = new Uint8Array(size);
  let next = new Uint8Array(size);
  reached[0] = 1;
  closeOverEmpty(steps, reached);
  for (let pos = 0; pos < name.length; pos++) {
    const unit = name.charCodeAt(pos);
    next.fill(0);
    let any = false;
    for (let i = 0; i < steps.length; i++) {
      if (!reached[i]) continue;
      const step = steps[i]!;
      if (step === STAR || (step === PERCENT && unit !== SEPARATOR)) next[i] = 1;
      else if (step === unit) next[i + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    closeOverEmpty(steps, next);
    [reached, next] = [next, reached];
  }
  return reached[steps.length] === 1;
}

export function patternMatcher(pattern: string): (name: string) => boolean {
  const steps = compile(pattern);
  const inboxSpelling = /^inbox/i.test(pattern) ? pattern.slice(0, 5) : undefined;
  return (name: string) => {
    if (matchSteps(steps, name)) return true;
    // INBOX matches in any case (its children keep their own case after "INBOX/").
    const isInboxName = name === 'INBOX' || name.startsWith('INBOX/');
    return !!inboxSpelling && isInboxName && matchSteps(steps, inboxSpelling + name.slice(5));
  };
}

/** `A/B/C` → [`A`, `A/B`]. */
export function parentsOf(name: string): string[] {
  const levels = name.split(HIERARCHY_SEPARATOR);
  return levels.slice(1).map((_, i) => levels.slice(0, i + 1).join(HIERARCHY_SEPARATOR));
}
