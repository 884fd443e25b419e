/**
 * Issue 13, findings 5 and 6: password guessing against a live service from several loopback
 * source addresses. The throttle must count an attempt before its password is checked, must
 * not be reset by a success on another account, and a missing user must cost the same time
 * as a wrong password for an existing one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';
import {
  ACCOUNT_FAILURES_ALLOWED,
  ADDRESS_FAILURES_ALLOWED,
} from '../../../src-main/core/auth/throttle.js';

let t: TestService | undefined;
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const undo of cleanup.splice(0)) await undo();
  await t?.stop();
  t = undefined;
});

const WRONG = /^\w+ NO \[AUTHENTICATIONFAILED\] Authentication failed\.$/;
const THROTTLED = /^\w+ NO \[UNAVAILABLE\] Too many failed sign-ins .*Try again in \d+ seconds/;
const ACCOUNT_BLOCKED =
  /^\w+ NO \[UNAVAILABLE\] Too many failed sign-ins to this account from elsewhere\. Try again in \d+ seconds, or from a device that signed in to it before\.$/;

/** A greeted IMAP connection from `localAddress`, closed after the test. */
async function connectFrom(port: number, localAddress: string): Promise<LineClient> {
  const c = await LineClient.connect(port, '127.0.0.1', localAddress);
  cleanup.push(() => c.close());
  await c.line();
  return c;
}

/** One LOGIN on its own connection; the tagged reply. */
async function loginFrom(
  port: number,
  localAddress: string,
  user: string,
  password: string,
): Promise<string> {
  const c = await connectFrom(port, localAddress);
  const reply = (await c.imap('a', `LOGIN ${user} "${password}"`)).tagged;
  c.close();
  return reply;
}

const count = (replies: string[], pattern: RegExp): number =>
  replies.filter((r) => pattern.test(r)).length;

describe('the login throttle under attack', () => {
  it('20 parallel wrong LOGINs from one address get at most 5 password checks', async () => {
    t = await startService();
    const service = t;
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => connectFrom(service.ports.imap, '127.0.0.30')),
    );
    const replies = await Promise.all(
      clients.map(async (c, i) => (await c.imap('a', `LOGIN ${service.user} wrong${i}`)).tagged),
    );
    expect(count(replies, WRONG)).toBeLessThanOrEqual(ADDRESS_FAILURES_ALLOWED);
    expect(count(replies, WRONG) + count(replies, THROTTLED)).toBe(20);
  });

  it('50 addresses against one account get at most the account limit, and the owner’s phone still signs in', async () => {
    t = await startService();
    const service = t;
    const port = service.ports.imap;
    // The owner's phone signed in from here before the attack.
    expect(await loginFrom(port, '127.0.0.200', service.user, service.password)).toMatch(/^a OK/);
    const attackers = Array.from({ length: 50 }, (_, i) => `127.0.1.${i + 1}`);
    const clients = await Promise.all(
      attackers.flatMap((address) => [connectFrom(port, address), connectFrom(port, address)]),
    );
    const replies = await Promise.all(
      clients.map(
        async (c, i) => (await c.imap('a', `LOGIN ${service.user} guess${i}`, 60_000)).tagged,
      ),
    );
    expect(count(replies, WRONG)).toBeLessThanOrEqual(ACCOUNT_FAILURES_ALLOWED);
    expect(count(replies, WRONG) + count(replies, THROTTLED)).toBe(100);
    // A new address is refused even with the right password; the owner's phone is not.
    expect(await loginFrom(port, '127.0.0.201', service.user, service.password)).toMatch(
      ACCOUNT_BLOCKED,
    );
    expect(await loginFrom(port, '127.0.0.200', service.user, service.password)).toMatch(/^a OK/);
  });

  it('signing in to one’s own account does not reset the count of guesses at another, even from an address the victim used', async () => {
    t = await startService();
    const service = t;
    const port = service.ports.imap;
    const work = await mkdtemp(join(tmpdir(), 'mailport-mallory-'));
    cleanup.push(() => rm(work, { recursive: true, force: true }));
    const maildir = join(work, 'Maildir');
    await new MaildirStore(maildir).ensure();
    await service.service.accounts.add('mallory', maildir, 'mallory secret');
    const shared = '127.0.0.40'; // one NAT address for the victim and the attacker
    expect(await loginFrom(port, shared, service.user, service.password)).toMatch(/^a OK/);
    const replies: string[] = [];
    for (let round = 0; round < 6; round++) {
      const attacker = await connectFrom(port, shared);
      for (let i = 0; i < ADDRESS_FAILURES_ALLOWED - 1; i++)
        replies.push(
          (await attacker.imap(`g${i}`, `LOGIN ${service.user} guess${round}x${i}`)).tagged,
        );
      attacker.close();
      await loginFrom(port, shared, 'mallory', 'mallory secret');
    }
    expect(count(replies, WRONG)).toBeLessThanOrEqual(ADDRESS_FAILURES_ALLOWED);
    expect(count(replies, THROTTLED)).toBe(replies.length - count(replies, WRONG));
  });
});

describe('failed logins cost the same for missing and existing users', () => {
  it('the quickest wrong password takes about as long for a missing user as for an existing one', async () => {
    t = await startService();
    const service = t;
    const port = service.ports.imap;
    const timed = async (address: string, user: string): Promise<number> => {
      const c = await connectFrom(port, address);
      const started = performance.now();
      const reply = (await c.imap('a', `LOGIN ${user} "not the password"`)).tagged;
      const elapsed = performance.now() - started;
      expect(reply).toMatch(WRONG);
      c.close();
      return elapsed;
    };
    const missing: number[] = [];
    const existing: number[] = [];
    const N = 8; // below both the address and the account limits, one address per attempt
    for (let i = 0; i < N; i++) {
      missing.push(await timed(`127.0.2.${i + 1}`, 'nobody-here'));
      existing.push(await timed(`127.0.3.${i + 1}`, service.user));
    }
    // Load on the machine only adds time, so each side's quickest answer is its true cost.
    // Without scrypt for the missing user, its quickest answer is a small part of the other's.
    const ratio = Math.min(...missing) / Math.min(...existing);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1 / 0.6);
  });
});
