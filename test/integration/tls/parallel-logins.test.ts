/**
 * Issue 16, the bench finding: a phone opens several connections at once and signs in on each.
 * Honest parallel logins from one address must all succeed (attempts beyond the in-flight
 * allowance wait their turn), while parallel guesses still get at most the address's allowance
 * of password checks, and only a refusal after failures says "too many failed".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';
import { ADDRESS_FAILURES_ALLOWED } from '../../../src-main/core/auth/throttle.js';

let t: TestService | undefined;
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const undo of cleanup.splice(0)) await undo();
  await t?.stop();
  t = undefined;
});

/** More than the address's allowance of checks in flight, fewer than its connection cap (20). */
const PARALLEL = 12;

async function connectFrom(port: number, localAddress: string): Promise<LineClient> {
  const c = await LineClient.connect(port, '127.0.0.1', localAddress);
  cleanup.push(() => c.close());
  await c.line();
  return c;
}

const count = (replies: string[], pattern: RegExp): number =>
  replies.filter((r) => pattern.test(r)).length;

describe('parallel logins from one address', () => {
  it(`${PARALLEL} parallel IMAP LOGINs with the right password all succeed`, async () => {
    t = await startService();
    const service = t;
    const clients = await Promise.all(
      Array.from({ length: PARALLEL }, () => connectFrom(service.ports.imap, '127.0.0.60')),
    );
    const replies = await Promise.all(
      clients.map(
        async (c) => (await c.imap('a', `LOGIN ${service.user} "${service.password}"`)).tagged,
      ),
    );
    expect(replies.filter((r) => !/^a OK /.test(r))).toEqual([]);
  });

  it(`${PARALLEL} parallel POP3 logins with the right passwords all succeed`, async () => {
    t = await startService();
    const service = t;
    // One maildrop each: POP3 locks a maildrop for one session (RFC 1939 §8).
    const work = await mkdtemp(join(tmpdir(), 'mailport-pop3-many-'));
    cleanup.push(() => rm(work, { recursive: true, force: true }));
    const names = Array.from({ length: PARALLEL }, (_, i) => `phone${i}`);
    for (const name of names) {
      const maildir = join(work, name);
      await new MaildirStore(maildir).ensure();
      await service.service.accounts.add(name, maildir, `${name} secret`);
    }
    const clients = await Promise.all(
      names.map(() => connectFrom(service.ports.pop3, '127.0.0.61')),
    );
    const replies = await Promise.all(
      clients.map(async (c, i) => {
        expect(await c.command(`USER ${names[i]!}`)).toMatch(/^\+OK/);
        return c.command(`PASS ${names[i]!} secret`);
      }),
    );
    expect(replies.filter((r) => !r.startsWith('+OK'))).toEqual([]);
  });

  it(`${PARALLEL} parallel wrong POP3 passwords get at most ${ADDRESS_FAILURES_ALLOWED} checks, then "too many failed"`, async () => {
    t = await startService();
    const service = t;
    const clients = await Promise.all(
      Array.from({ length: PARALLEL }, () => connectFrom(service.ports.pop3, '127.0.0.62')),
    );
    const replies = await Promise.all(
      clients.map(async (c, i) => {
        expect(await c.command(`USER ${service.user}`)).toMatch(/^\+OK/);
        return c.command(`PASS wrong${i}`);
      }),
    );
    const wrong = count(replies, /^-ERR \[AUTH\] Authentication failed\.$/);
    const blocked = count(
      replies,
      /^-ERR \[LOGIN-DELAY\] Too many failed sign-ins from here\. Try again in \d+ seconds\.$/,
    );
    expect(wrong).toBeGreaterThan(0);
    expect(wrong).toBeLessThanOrEqual(ADDRESS_FAILURES_ALLOWED);
    expect(wrong + blocked).toBe(PARALLEL);
  });
});
