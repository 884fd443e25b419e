/**
 * LIST pattern matching (RFC 3501 §6.3.8) against a plain recursive reference, on fixed cases
 * and on many seeded random patterns and names; and the pattern that froze a regex matcher.
 */
import { describe, expect, it } from 'vitest';
import { parentsOf, patternMatcher } from '../../../src-main/core/imap/mailbox-pattern.js';

/** The definition, written as directly as possible (exponential, fine for short inputs). */
function reference(pattern: string, name: string): boolean {
  if (pattern === '') return name === '';
  const [head, rest] = [pattern[0]!, pattern.slice(1)];
  if (head === '*') {
    for (let i = 0; i <= name.length; i++) if (reference(rest, name.slice(i))) return true;
    return false;
  }
  if (head === '%') {
    for (let i = 0; i <= name.length; i++) {
      if (reference(rest, name.slice(i))) return true;
      if (name[i] === '/') return false;
    }
    return false;
  }
  return name[0] === head && reference(rest, name.slice(1));
}

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function word(next: () => number, alphabet: string, maxLength: number): string {
  let out = '';
  const length = Math.floor(next() * (maxLength + 1));
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

describe('LIST patterns', () => {
  it.each([
    ['*', 'A/B/C', true],
    ['%', 'A/B', false],
    ['%', 'Sent', true],
    ['A/%', 'A/B', true],
    ['A/%', 'A/B/C', false],
    ['A/*', 'A/B/C', true],
    ['A%', 'A', true],
    ['%/%', 'A/B', true],
    ['*%', 'A/B', true],
    ['%*', 'A/B', true],
    ['%%/', 'AB/', true],
    ['a.b', 'aXb', false],
    ['a.b', 'a.b', true],
    ['(x)', '(x)', true],
    ['', '', true],
    ['', 'A', false],
    ['inbox', 'INBOX', true],
    ['Inbox/%', 'INBOX/Sub', true],
    ['inbox/sub', 'INBOX/Sub', false],
    ['INBOX', 'inbox', false],
    ['Ä/*', 'Ä/ö', true],
  ])('%s against %s', (pattern, name, expected) => {
    expect(patternMatcher(pattern)(name)).toBe(expected);
  });

  it('agrees with the reference on 20,000 random patterns and names', () => {
    const next = random(0x5eed);
    for (let round = 0; round < 20_000; round++) {
      const pattern = word(next, 'ab/*%', 8);
      const name = word(next, 'ab/', 10);
      if (patternMatcher(pattern)(name) !== reference(pattern, name))
        throw new Error(`"${pattern}" against "${name}": expected ${reference(pattern, name)}`);
    }
  });

  it('answers the catastrophic pattern for a regex at once, with the right result', () => {
    const pattern = `${'*a'.repeat(40)}*b`;
    const matcher = patternMatcher(pattern);
    expect(matcher('a'.repeat(200))).toBe(false);
    expect(matcher(`${'a'.repeat(60)}b`)).toBe(true);
    expect(matcher(`${'a'.repeat(39)}b`)).toBe(false);
  });

  it('names the parents of a name', () => {
    expect(parentsOf('A/B/C')).toEqual(['A', 'A/B']);
    expect(parentsOf('A')).toEqual([]);
  });
});
