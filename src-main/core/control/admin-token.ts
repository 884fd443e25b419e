/** The admin token: 32 random bytes in `<data dir>/admin-token`, readable by the user alone. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';

export async function readOrCreateToken(path: string): Promise<string> {
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(token)) return token;
  } catch {
    // missing: create it
  }
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(path, `${token}\n`, { mode: 0o600 });
  return token;
}

export function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
