/**
 * Recently verified credentials, in memory only (like Dovecot's auth cache), so a phone that
 * opens several connections, or checks again a minute later, costs one scrypt, not one each.
 *
 * - What is kept is an HMAC-SHA-256 of the account name and password under a random key made
 *   per process, never the password: a memory dump yields a verifier that is useless once the
 *   process ends, and that is bound to this process's key.
 * - An entry is bound to the stored scrypt hash it was verified against: once the password is
 *   changed or the account removed (by this process, the ControlApi, or `mailport account` in
 *   another process, seen through `SettingsStore.reloadIfChanged`), it no longer matches and is
 *   dropped on sight. `Accounts` also forgets the account at once when it changes it.
 * - Only a success is remembered; a miss (a wrong password) falls through to the full scrypt
 *   check, so a failure costs the same whether or not the account has an entry, and the
 *   comparison is constant-time (`timingSafeEqual`): no timing oracle for cached passwords.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Account } from '../config/schema.js';

/**
 * How long a verified password is trusted without scrypt, counted from the scrypt check (not
 * extended by hits). Five minutes covers a phone's burst of connections and a quick recheck,
 * costs one ~100 ms scrypt per account per five minutes at most, and keeps short the time a
 * verifier sits in memory; a change of password does not wait for it (see above).
 */
export const VERIFIED_LOGIN_TTL_MS = 5 * 60_000;

const KEY_BYTES = 32;

interface Entry {
  /** The stored scrypt hash the password was verified against. */
  readonly storedHash: string;
  readonly digest: Buffer;
  readonly expiresAt: number;
}

export class VerifiedLogins {
  readonly #key = randomBytes(KEY_BYTES);
  /** Lower-cased account name → its last verified password's digest. */
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Whether `password` was verified for `account`, with its current hash, within the TTL. */
  matches(account: Account, password: string): boolean {
    const key = account.name.toLowerCase();
    const entry = this.#entries.get(key);
    if (!entry) return false;
    if (entry.expiresAt <= this.#now() || entry.storedHash !== account.passwordHash) {
      this.#entries.delete(key);
      return false;
    }
    return timingSafeEqual(entry.digest, this.#digest(key, password));
  }

  /** After scrypt said yes for `storedHash` (the hash it checked, which may since have changed). */
  remember(name: string, storedHash: string, password: string): void {
    const key = name.toLowerCase();
    const entry = {
      storedHash,
      digest: this.#digest(key, password),
      expiresAt: this.#now() + VERIFIED_LOGIN_TTL_MS,
    };
    this.#entries.set(key, entry);
    // Gone at expiry even if nobody signs in again: the verifier does not outlive its TTL.
    setTimeout(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    }, VERIFIED_LOGIN_TTL_MS).unref();
  }

  forget(name: string): void {
    this.#entries.delete(name.toLowerCase());
  }

  #digest(key: string, password: string): Buffer {
    // Account names cannot hold NUL (ACCOUNT_NAME), so the pair is unambiguous.
    return createHmac('sha256', this.#key).update(`${key}\0`).update(password, 'utf8').digest();
  }
}
