/**
 * Password hashing with scrypt (node:crypto). Stored form:
 *   scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>
 * so the cost can be raised later without breaking stored hashes.
 */
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const LOG2_N = 15; // N = 32768, r = 8: 32 MiB and ~100 ms per hash
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function options(log2N: number, r: number, p: number): ScryptOptions {
  return { N: 2 ** log2N, r, p, maxmem: 2 ** log2N * r * 256 };
}

function stored(salt: Buffer, key: Buffer): string {
  return ['scrypt', LOG2_N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return stored(salt, await scryptAsync(password, salt, options(LOG2_N, R, P)));
}

/**
 * A hash in the stored form with the current parameters that no password matches: a random
 * salt and a random key (a password would have to hit 256 random bits). Checking a password
 * against it runs scrypt at full cost, as for a real hash, yet making it costs nothing, so a
 * server can have one at start without spending a scrypt run (issue 16: start-up time).
 */
export function unmatchableHash(): string {
  return stored(randomBytes(SALT_BYTES), randomBytes(KEY_BYTES));
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2N, r, p].every(Number.isInteger) || log2N > 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await scryptAsync(password, salt, options(log2N, r, p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// No 0/O, 1/l/I: easy to type on a phone keyboard. 4 groups of 5 from 31 symbols ≈ 99 bits.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export function generatePassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 5; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}
