/**
 * Issue 16: a repeated login skips scrypt through an in-memory cache of verified passwords
 * (auth/verified-logins.ts). The cache must never let a changed or removed account in, never
 * turn a wrong password into a success, and never bypass the throttle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LineClient } from '../../helpers/line-client.js';
import { run } from '../../helpers/run.js';
import { CLI, runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';
import { startService, type TestService } from '../../helpers/service.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createControlApi } from '../../../src-main/core/control/control-api.js';
import { ADDRESS_FAILURES_ALLOWED } from '../../../src-main/core/auth/throttle.js';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';

let t: TestService | undefined;
const cleanup: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
  await t?.stop();
  t = undefined;
});

const OK = /^a OK /;
const WRONG = /^a NO \[AUTHENTICATIONFAILED\] Authentication failed\.$/;

/** One LOGIN on its own connection from `localAddress`; the tagged reply. */
async function login(
  port: number,
  user: string,
  password: string,
  localAddress = '127.0.0.1',
): Promise<string> {
  const c = await LineClient.connect(port, '127.0.0.1', localAddress);
  try {
    await c.line();
    const reply = (await c.imap('a', `LOGIN ${user} "${password}"`)).tagged;
    await c.imap('z', 'LOGOUT').catch(() => undefined);
    return reply;
  } finally {
    c.close();
  }
}

describe('the verified-login cache (in-process service, ControlApi)', () => {
  it('refuses the old password at once after a reset, and accepts the new one', async () => {
    t = await startService();
    const { ports, user, password } = t;
    expect(await login(ports.imap, user, password)).toMatch(OK);
    expect(await login(ports.imap, user, password)).toMatch(OK); // from the cache
    const reset = await createControlApi(t.service).resetPassword({ name: user });
    expect(await login(ports.imap, user, password)).toMatch(WRONG);
    expect(await login(ports.imap, user, reset.password)).toMatch(OK);
    expect(await login(ports.imap, user, reset.password)).toMatch(OK);
  });

  it('refuses a removed account at once', async () => {
    t = await startService();
    const { ports, user, password } = t;
    expect(await login(ports.imap, user, password)).toMatch(OK);
    expect(await login(ports.imap, user, password)).toMatch(OK);
    await createControlApi(t.service).removeAccount({ name: user });
    expect(await login(ports.imap, user, password)).toMatch(WRONG);
  });

  it('refuses and throttles wrong passwords after a cached success', async () => {
    t = await startService();
    const { ports, user, password } = t;
    const from = '127.0.0.70';
    expect(await login(ports.imap, user, password, from)).toMatch(OK);
    expect(await login(ports.imap, user, password, from)).toMatch(OK);
    for (let i = 0; i < ADDRESS_FAILURES_ALLOWED; i++)
      expect(await login(ports.imap, user, `${password}${i}`, from)).toMatch(WRONG);
    // Blocked before any check, the cached right password included.
    expect(await login(ports.imap, user, password, from)).toMatch(
      /^a NO \[UNAVAILABLE\] Too many failed sign-ins from here\. Try again in \d+ seconds\.$/,
    );
  });
});

describe('the verified-login cache (mailport serve, changed by `mailport account`)', () => {
  it('refuses the old password at once after `account passwd`, and a removed account', async () => {
    const work = await mkdtemp(join(tmpdir(), 'mailport-verified-'));
    cleanup.push(() => rm(work, { recursive: true, force: true }));
    const maildir = join(work, 'Maildir');
    await new MaildirStore(maildir).ensure();
    const user = 'tester';
    const password = 'first password';
    const setup = await setUpMailport(maildir, { user, password });
    cleanup.push(() => rm(setup.dataDir, { recursive: true, force: true }));
    const served: RunningMailport = await runMailport(setup);
    cleanup.push(() => served.stop());
    const cli = (args: string[], input?: string) =>
      run(process.execPath, [CLI, ...args], {
        env: { ...process.env, MAILPORT_DATA_DIR: setup.dataDir },
        ...(input !== undefined && { input }),
      });
    const port = setup.ports.imap;
    expect(await login(port, user, password)).toMatch(OK);
    expect(await login(port, user, password)).toMatch(OK);
    const changed = await cli(['account', 'passwd', user, '--password-stdin'], 'second password\n');
    expect(changed.code).toBe(0);
    expect(await login(port, user, password)).toMatch(WRONG);
    expect(await login(port, user, 'second password')).toMatch(OK);
    expect(await login(port, user, 'second password')).toMatch(OK);
    expect((await cli(['account', 'remove', user])).code).toBe(0);
    expect(await login(port, user, 'second password')).toMatch(WRONG);
  });
});
