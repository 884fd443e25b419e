/**
 * The Exchange-style security settings on live listeners: certificates verified by openssl,
 * TLS 1.0/1.1 refused, the `secure` login policy, STARTTLS/STLS injection, connection caps,
 * failed-login throttling, port conflicts and certificate renewal without dropping sessions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { run } from '../../helpers/run.js';
import { startService, type TestService } from '../../helpers/service.js';
import { freePort } from '../../helpers/ports.js';
import type { Settings } from '../../../src-main/core/config/schema.js';
import { currentMachineNames, renewCertificate } from '../../../src-main/core/certs/index.js';

let t: TestService;
let ca: string;
const secure = (s: Settings) => (s.security.loginPolicy = 'secure');

async function start(change: (s: Settings) => void = secure): Promise<void> {
  t = await startService(change);
  ca = await readFile(join(t.dataDir, 'certs', 'ca.pem'), 'utf8');
}

afterEach(async () => {
  await t?.stop();
});

async function sClient(args: string[]): Promise<{ code: number; out: string }> {
  const r = await run(
    'openssl',
    [
      's_client',
      '-brief',
      '-verify_return_error',
      '-CAfile',
      join(t.dataDir, 'certs', 'ca.pem'),
      ...args,
    ],
    {
      input: '',
      timeoutMs: 20_000,
    },
  );
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('certificates on every listener', () => {
  beforeEach(() => start());

  it.each([
    ['imaps', []],
    ['pop3s', []],
    ['imap', ['-starttls', 'imap']],
    ['pop3', ['-starttls', 'pop3']],
  ] as const)('%s verifies with openssl for localhost and for 127.0.0.1', async (name, extra) => {
    const port = String(t.ports[name]);
    const byName = await sClient([
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-verify_hostname',
      'localhost',
      ...extra,
    ]);
    expect(byName.out).toMatch(/Verification: OK/);
    expect(byName.code).toBe(0);
    const byIp = await sClient([
      '-connect',
      `127.0.0.1:${port}`,
      '-verify_ip',
      '127.0.0.1',
      ...extra,
    ]);
    expect(byIp.out).toMatch(/Verification: OK/);
    const wrongName = await sClient([
      '-connect',
      `127.0.0.1:${port}`,
      '-verify_hostname',
      'example.com',
      ...extra,
    ]);
    expect(wrongName.code).not.toBe(0);
  });

  it.each(['-tls1', '-tls1_1'])('refuses %s handshakes', async (version) => {
    const r = await sClient([
      '-connect',
      `127.0.0.1:${t.ports.imaps}`,
      version,
      '-cipher',
      'DEFAULT@SECLEVEL=0',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.out).not.toMatch(/Verification: OK/);
  });

  it('refuses a non-AEAD TLS 1.2 cipher', async () => {
    const r = await sClient([
      '-connect',
      `127.0.0.1:${t.ports.pop3s}`,
      '-tls1_2',
      '-cipher',
      'AES128-SHA',
    ]);
    expect(r.code).not.toBe(0);
  });
});

describe('login policy "secure"', () => {
  beforeEach(() => start());

  it('IMAP: LOGIN refused before STARTTLS, accepted after; pipelined commands are discarded', async () => {
    const c = await LineClient.connect(t.ports.imap);
    expect(await c.line()).toMatch(/STARTTLS.*LOGINDISABLED/);
    expect((await c.imap('a', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(
      /^a NO \[PRIVACYREQUIRED\]/,
    );
    // An attacker's injected LOGIN rides in the same packet as STARTTLS.
    c.send(`b STARTTLS\r\nc LOGIN ${t.user} "${t.password}"\r\n`);
    expect(await c.line()).toBe('b OK Begin TLS negotiation now.');
    const { client, leftover } = await c.upgrade({ ca, servername: 'localhost' });
    expect(leftover).toBe('');
    const caps = (await client.imap('d', 'CAPABILITY')).untagged[0]!;
    expect(caps).toContain('AUTH=PLAIN');
    expect(caps).not.toContain('STARTTLS');
    expect((await client.imap('e', 'SELECT INBOX')).tagged).toMatch(/^e BAD .*log in/); // c was not run
    expect((await client.imap('f', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(/^f OK/);
    client.close();
  });

  it('POP3: USER refused before STLS (naming it), accepted after; pipelined commands are discarded', async () => {
    const c = await LineClient.connect(t.ports.pop3);
    await c.line();
    expect(await c.command(`USER ${t.user}`)).toMatch(/^-ERR \[AUTH\] .*STLS/);
    c.send(`STLS\r\nUSER ${t.user}\r\n`);
    expect(await c.line()).toMatch(/^\+OK Begin TLS/);
    const { client } = await c.upgrade({ ca, servername: 'localhost' });
    expect(await client.command(`PASS ${t.password}`)).toBe('-ERR Send USER first.'); // USER was dropped
    expect(await client.command(`USER ${t.user}`)).toMatch(/^\+OK/);
    expect(await client.command(`PASS ${t.password}`)).toBe('+OK Logged in.');
    client.close();
  });

  it('accepts logins on the implicit-TLS ports', async () => {
    const imaps = await LineClient.connectTls(t.ports.imaps, { ca, servername: 'localhost' });
    await imaps.line();
    expect((await imaps.imap('a', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(/^a OK/);
    imaps.close();
    const pop3s = await LineClient.connectTls(t.ports.pop3s, { ca, servername: 'localhost' });
    await pop3s.line();
    await pop3s.command(`USER ${t.user}`);
    expect(await pop3s.command(`PASS ${t.password}`)).toBe('+OK Logged in.');
    pop3s.close();
  });
});

describe('limits and throttling', () => {
  it('refuses a connection over the per-address limit in each protocol’s words', async () => {
    await start((s) => {
      s.security.loginPolicy = 'plaintext';
      s.limits.maxConnectionsPerAddress = 2;
    });
    const open = [await LineClient.connect(t.ports.imap), await LineClient.connect(t.ports.pop3)];
    const imap = await LineClient.connect(t.ports.imap);
    expect(await imap.line()).toMatch(/^\* BYE Too many connections from your address/);
    const pop3 = await LineClient.connect(t.ports.pop3);
    expect(await pop3.line()).toMatch(/^-ERR \[SYS\/TEMP\] Too many connections from your address/);
    const other = await LineClient.connect(t.ports.imap, '127.0.0.1', '127.0.0.2');
    expect(await other.line()).toMatch(/^\* OK/);
    for (const c of [...open, imap, pop3, other]) c.close();
  });

  it('slows, then throttles an address that guesses passwords, without slowing another', async () => {
    await start((s) => (s.security.loginPolicy = 'plaintext'));
    const attacker = await LineClient.connect(t.ports.imap, '127.0.0.1', '127.0.0.3');
    await attacker.line();
    let throttled = '';
    for (let i = 0; i < 8 && !throttled; i++) {
      const started = Date.now();
      const reply = (await attacker.imap(`a${i}`, `LOGIN ${t.user} wrong${i}`)).tagged;
      if (reply.includes('UNAVAILABLE')) throttled = reply;
      else expect(Date.now() - started).toBeGreaterThanOrEqual(40); // every failure answered late
    }
    expect(throttled).toMatch(
      /NO \[UNAVAILABLE\] Too many failed sign-ins from here\. Try again in \d+ seconds\./,
    );
    // Even the right password is refused from that address now…
    expect((await attacker.imap('b', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(
      /UNAVAILABLE/,
    );
    // …while another address signs in at once.
    const friend = await LineClient.connect(t.ports.imap, '127.0.0.1', '127.0.0.4');
    await friend.line();
    const started = Date.now();
    expect((await friend.imap('c', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(/^c OK/);
    expect(Date.now() - started).toBeLessThan(1000);
    attacker.close();
    friend.close();
  });
});

describe('ports and certificates at run time', () => {
  let blocker: Server;
  afterEach(() => new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r())));

  it('reports a port in use with its remedy while the other listeners serve', async () => {
    const busy = await freePort();
    blocker = createServer().listen(busy, '127.0.0.1');
    await start((s) => {
      s.security.loginPolicy = 'plaintext';
      s.listeners.imap.port = busy;
    });
    const states = t.service.listenerStates();
    expect(states.imap).toEqual({
      status: 'failed',
      error: `Another program is already using port ${busy}.`,
      remedy: expect.stringContaining('Choose another port for imap'),
    });
    expect(states.imaps.status).toBe('listening');
    const pop3 = await LineClient.connect(t.ports.pop3);
    expect(await pop3.line()).toMatch(/^\+OK/);
    pop3.close();
  });

  it('renews the certificate for new connections without dropping open sessions', async () => {
    await start();
    const before = await LineClient.connectTls(t.ports.imaps, { ca, servername: 'localhost' });
    await before.line();
    expect((await before.imap('a', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(/^a OK/);
    const oldPrint = before.peerCertificate!.fingerprint256;
    await renewCertificate(join(t.dataDir, 'certs'), currentMachineNames());
    await t.service.prepareTls();
    const after = await LineClient.connectTls(t.ports.imaps, { ca, servername: 'localhost' });
    await after.line();
    expect(after.peerCertificate!.fingerprint256).not.toBe(oldPrint);
    expect((await before.imap('b', 'NOOP')).tagged).toMatch(/^b OK/); // the old session goes on
    before.close();
    after.close();
  });
});

describe('settings applied live', () => {
  it('rebinds only the listener that changed; other sessions go on; policy applies at once', async () => {
    await start((s) => (s.security.loginPolicy = 'plaintext'));
    const pop3 = await LineClient.connect(t.ports.pop3);
    await pop3.line();
    const oldImap = t.ports.imap;
    const newImap = await freePort();
    await t.service.settings.update((s) => {
      s.listeners.imap.port = newImap;
      s.listeners.pop3s.enabled = false;
      s.security.loginPolicy = 'secure';
    });
    const states = await t.service.applySettings();
    expect(states.imap).toMatchObject({ status: 'listening', port: newImap });
    expect(states.pop3s).toEqual({ status: 'stopped' });
    await expect(LineClient.connect(oldImap)).rejects.toThrow(/ECONNREFUSED/);
    await expect(LineClient.connect(t.ports.pop3s)).rejects.toThrow(/ECONNREFUSED/);
    const moved = await LineClient.connect(newImap);
    expect(await moved.line()).toContain('LOGINDISABLED');
    expect(await pop3.command('CAPA')).toMatch(/^\+OK/); // the POP3 session was not dropped
    pop3.close();
    moved.close();
  });
});

describe('stop and start serving (the tray)', () => {
  it('closes every port and its sessions, keeps settings, and serves again on the same ports', async () => {
    await start((s) => (s.security.loginPolicy = 'plaintext'));
    const imap = await LineClient.connect(t.ports.imap);
    await imap.line();
    const closed = new Promise<void>((resolve) => imap.socket.once('close', () => resolve()));
    const stopped = await t.service.setServing(false);
    expect(Object.values(stopped).every((s) => s.status === 'stopped')).toBe(true);
    await closed;
    for (const port of [t.ports.imap, t.ports.imaps, t.ports.pop3, t.ports.pop3s])
      await expect(LineClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    // A settings change while stopped does not bring a listener back by itself.
    await t.service.settings.update((s) => (s.limits.maxConnections = 50));
    await t.service.applySettings();
    await expect(LineClient.connect(t.ports.imap)).rejects.toThrow(/ECONNREFUSED/);
    const started = await t.service.setServing(true);
    expect(started.imaps).toMatchObject({ status: 'listening', port: t.ports.imaps });
    const again = await LineClient.connect(t.ports.pop3);
    expect(await again.line()).toMatch(/^\+OK/);
    again.close();
  });
});
