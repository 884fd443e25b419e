/**
 * The phone setup page of a real `mailport serve`, opened over its admin API and fetched as a
 * phone would (over 127.0.0.1 here; test/interop/lan.test.ts uses a LAN address): the page,
 * the CA, the profile and autoconfig with the token; nothing without it, and nothing once it
 * is closed, by "Done" or by expiry. Also `mailport phone-setup` in a terminal.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { makeOwnCertificate } from '../../helpers/own-certificate.js';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../../../src-main/core/config/paths.js';
import type { PhoneSetup } from '../../../src-main/core/control/api.js';
import { freePort } from '../../helpers/ports.js';
import { run } from '../../helpers/run.js';
import { CLI, runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const PASSWORD = 'correct horse battery';
const TTL_MS = 15_000;
let maildir: string;
let server: RunningMailport;
let adminPort: number;
let token: string;

beforeAll(async () => {
  maildir = await mkdtemp(join(tmpdir(), 'mailport-phone-mail-'));
  adminPort = await freePort();
  const setup = await setUpMailport(maildir, { user: 'tester', password: PASSWORD }, (s) => {
    s.admin.port = adminPort;
  });
  server = await runMailport(setup, { MAILPORT_PHONE_SETUP_TTL_MS: String(TTL_MS) });
  token = (await readFile(dataPaths(setup.dataDir).adminToken, 'utf8')).trim();
});

afterAll(async () => {
  await server?.stop();
  await rm(maildir, { recursive: true, force: true });
  if (server) await rm(server.dataDir, { recursive: true, force: true });
});

async function api<T>(method: string, args: unknown = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function start(account = 'tester'): Promise<PhoneSetup> {
  const reply = await api<PhoneSetup>('startPhoneSetup', { account });
  expect(reply.status).toBe(200);
  return reply.body;
}

/** A file of the page, over 127.0.0.1 (the test is not on a LAN). */
function local(setup: PhoneSetup, file = '', query = ''): string {
  const url = new URL(setup.url);
  return `http://127.0.0.1:${url.port}${url.pathname}${file}${query}`;
}

async function get(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

/** What a client sees from a closed page: nothing listens any more. */
async function refused(url: string): Promise<string> {
  try {
    await fetch(url);
    return 'answered';
  } catch (err) {
    return ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? String(err);
  }
}

function opensslFingerprint(cert: Buffer, inform: 'DER' | 'PEM'): string {
  const out = execFileSync(
    'openssl',
    ['x509', '-inform', inform, '-noout', '-fingerprint', '-sha256'],
    {
      input: cert,
      encoding: 'utf8',
    },
  );
  return out.trim().replace(/^.*Fingerprint=/i, '');
}

const SMTP = '?smtpHost=smtp.example.com&smtpPort=587&smtpSsl=on&smtpUser=me%40example.com';
type Dict = Record<string, unknown>;

function mailPayload(profile: Buffer): Dict {
  const top = parse(profile.toString('utf8')) as Dict;
  return (top.PayloadContent as Dict[]).find((p) => p.PayloadType === 'com.apple.mail.managed')!;
}

describe('the phone setup page', () => {
  it('serves the page, the CA, the profile and autoconfig with the token', async () => {
    const setup = await start();
    const url = new URL(setup.url);
    // bind.address is loopback here, so the page listens and links there (lan.test.ts: `all`).
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toMatch(/^\/[A-Za-z0-9_-]{32}\/$/);
    expect(setup.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(setup.account).toBe('tester');
    expect(Date.parse(setup.expiresAt) - Date.now()).toBeGreaterThan(TTL_MS - 10_000);
    expect(Date.parse(setup.expiresAt) - Date.now()).toBeLessThanOrEqual(TTL_MS);
    const caFile = await readFile(join(server.dataDir, 'certs', 'ca.pem'));
    expect(setup.caFingerprintSha256).toBe(opensslFingerprint(caFile, 'PEM'));
    expect((await api<PhoneSetup | null>('getPhoneSetup')).body).toEqual(setup);

    const page = await get(local(setup));
    expect([page.status, page.type]).toEqual([200, 'text/html; charset=utf-8']);
    const html = page.body.toString();
    expect(html).toContain(setup.caFingerprintSha256);
    expect(html).toContain('Settings › General › About › Certificate Trust Settings');
    expect(html).toMatch(/Outlook mobile and Spark/);
    expect(html).toMatch(/on a schedule/);
    expect(html).toContain('href="mailport-ca.crt"');
    expect(html).toContain('<form method="post" action="mailport.mobileconfig">');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing external

    const der = await get(local(setup, 'mailport-ca.crt'));
    expect(der.type).toBe('application/x-x509-ca-cert');
    expect(opensslFingerprint(der.body, 'DER')).toBe(setup.caFingerprintSha256);
    const pem = await get(local(setup, 'mailport-ca.pem'));
    expect(pem.type).toBe('application/x-pem-file');
    expect(pem.body.toString().trim()).toBe(caFile.toString().replace(/\r/g, '').trim());

    const profile = await get(local(setup, 'mailport.mobileconfig', SMTP));
    expect([profile.status, profile.type]).toEqual([200, 'application/x-apple-aspen-config']);
    const top = parse(profile.body.toString()) as Dict;
    expect((top.PayloadContent as Dict[]).map((p) => p.PayloadType)).toEqual([
      'com.apple.security.root',
      'com.apple.mail.managed',
    ]);
    const root = (top.PayloadContent as Dict[])[0]!;
    expect(Buffer.from(root.PayloadContent as Uint8Array).equals(der.body)).toBe(true);
    const mail = mailPayload(profile.body);
    expect(mail).toMatchObject({
      IncomingMailServerHostName: '127.0.0.1',
      IncomingMailServerPortNumber: server.ports.imaps,
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: 'tester',
      OutgoingMailServerHostName: 'smtp.example.com',
      OutgoingMailServerPortNumber: 587,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: 'me@example.com',
    });
    expect(mail).not.toHaveProperty('IncomingPassword');

    const auto = (await get(local(setup, 'config-v1.1.xml'))).body.toString();
    expect(auto).toContain('<hostname>127.0.0.1</hostname>');
    expect(auto).toContain(`<port>${server.ports.imaps}</port>`);
    expect(auto).toContain('<socketType>SSL</socketType>');
  });

  it('puts the password in the profile only when it is the account’s', async () => {
    const setup = await start();
    const form = (password: string) =>
      get(local(setup, 'mailport.mobileconfig'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `${SMTP.slice(1)}&password=${encodeURIComponent(password)}`,
      });
    const right = await form(PASSWORD);
    expect(right.status).toBe(200);
    expect(mailPayload(right.body).IncomingPassword).toBe(PASSWORD);
    // A password in the URL is refused: it would land in history and logs.
    const inUrl = await get(
      local(setup, 'mailport.mobileconfig', `${SMTP}&password=${encodeURIComponent(PASSWORD)}`),
    );
    expect(inUrl.status).toBe(400);
    expect(inUrl.body.toString()).not.toContain('<plist');
    const wrong = await form('guessing-1');
    expect([wrong.status, wrong.type]).toEqual([403, 'text/html; charset=utf-8']);
    expect(wrong.body.toString()).toContain('That is not the Mailport password of tester.');
    expect(wrong.body.toString()).not.toContain('<plist');
    for (let i = 2; i <= 5; i++) expect((await form(`guessing-${i}`)).status).toBe(403);
    // After five wrong guesses even the right password is no longer checked on this page.
    const locked = await form(PASSWORD);
    expect(locked.status).toBe(403);
    expect(locked.body.toString()).toContain('Too many wrong passwords');
    const noSmtp = await get(local(setup, 'mailport.mobileconfig'));
    expect(noSmtp.status).toBe(400);
    expect(noSmtp.body.toString()).toContain('Fill in the outgoing (SMTP) server');
  });

  it('answers nothing but an empty 404 without the right token', async () => {
    const setup = await start();
    const url = new URL(setup.url);
    const base = `http://127.0.0.1:${url.port}`;
    const wrongToken = url.pathname.slice(1, -1).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    for (const path of [
      '/',
      '/mailport-ca.crt',
      `/${wrongToken}/`,
      `/${wrongToken}/mailport-ca.crt`,
      `${url.pathname.slice(0, -2)}/`,
      `${url.pathname}../`,
      `${url.pathname}ca-key.pem`,
    ]) {
      const reply = await get(`${base}${path}`);
      expect([path, reply.status, reply.body.length]).toEqual([path, 404, 0]);
    }
    const post = await get(local(setup), { method: 'POST', body: 'x' });
    expect([post.status, post.body.length]).toEqual([404, 0]);
  });

  it('serves nothing after Done, and starting again replaces the page', async () => {
    const first = await start();
    const second = await start();
    expect(second.url).not.toBe(first.url);
    expect(await refused(local(first))).toBe('ECONNREFUSED');
    expect((await get(local(second))).status).toBe(200);
    expect((await api('stopPhoneSetup')).body).toEqual({ stopped: true });
    expect(await refused(local(second))).toBe('ECONNREFUSED');
    expect((await api('getPhoneSetup')).body).toBeNull();
    expect((await api('stopPhoneSetup')).body).toEqual({ stopped: false });
    const unknown = await api<{ error: { code: string } }>('startPhoneSetup', {
      account: 'nobody',
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('`mailport phone-setup` shows the QR code and link and closes the page on Enter', async () => {
    const child = spawn(process.execPath, [CLI, 'phone-setup'], {
      env: { ...process.env, MAILPORT_DATA_DIR: server.dataDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      await expect.poll(() => output, { timeout: 20_000 }).toContain('Press Enter when done.');
      const setup = (await api<PhoneSetup>('getPhoneSetup')).body;
      expect(output).toContain(`Or open ${setup.url} on the phone`);
      expect(output).toContain(`fingerprint (SHA-256): ${setup.caFingerprintSha256}`);
      expect(output).toContain('▄'); // the QR code's half blocks
      expect(output).toContain('run `mailport config set bind.address all` first');
      expect((await get(local(setup))).status).toBe(200);
      child.stdin.write('\n');
      expect(await exited).toBe(0);
      expect(output).toContain('The phone setup page is closed.');
      expect(await refused(local(setup))).toBe('ECONNREFUSED');
    } finally {
      child.kill();
    }
  });

  it.each(['SIGTERM', 'SIGHUP'] as const)(
    '`mailport phone-setup` closes the page when it gets %s (a closed terminal, `kill`)',
    async (signal) => {
      const child = spawn(process.execPath, [CLI, 'phone-setup'], {
        env: { ...process.env, MAILPORT_DATA_DIR: server.dataDir },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      try {
        await expect.poll(() => output, { timeout: 20_000 }).toContain('Press Enter when done.');
        const setup = (await api<PhoneSetup>('getPhoneSetup')).body;
        expect((await get(local(setup))).status).toBe(200);
        child.kill(signal);
        await exited;
        expect(await refused(local(setup))).toBe('ECONNREFUSED');
        expect((await api('getPhoneSetup')).body).toBeNull();
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it('listens on the phoneSetup.port setting and names the ports a firewall must allow', async () => {
    const port = await freePort();
    expect((await api('updateSettings', { changes: { 'phoneSetup.port': port } })).status).toBe(
      200,
    );
    try {
      const child = spawn(process.execPath, [CLI, 'phone-setup'], {
        env: { ...process.env, MAILPORT_DATA_DIR: server.dataDir },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      await expect.poll(() => output, { timeout: 20_000 }).toContain('Press Enter when done.');
      const setup = (await api<PhoneSetup>('getPhoneSetup')).body;
      expect(new URL(setup.url).port).toBe(String(port));
      expect(setup.ports).toEqual({ page: port, imaps: server.ports.imaps });
      expect(output).toContain(
        `let phones reach TCP port ${port} (this page) and ${server.ports.imaps} (IMAP over TLS)`,
      );
      child.stdin.write('\n');
      expect(await exited).toBe(0);
      // Taken by another program: a clear refusal that names the setting.
      const blocker = createServer().listen(port, '127.0.0.1');
      await once(blocker, 'listening');
      const refusedStart = await api<{ error: { code: string; message: string } }>(
        'startPhoneSetup',
        { account: 'tester' },
      );
      blocker.close();
      expect(refusedStart.status).toBe(409);
      expect(refusedStart.body.error.message).toContain(
        `cannot use port ${port} (another program uses it)`,
      );
      expect(refusedStart.body.error.message).toContain('phoneSetup.port');
    } finally {
      await api('updateSettings', { changes: { 'phoneSetup.port': 0 } });
    }
  });

  it('`mailport phone-setup` says plainly when Mailport is not running', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mailport-phone-none-'));
    try {
      const port = await freePort();
      await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ admin: { port } }));
      const result = await run(process.execPath, [CLI, 'phone-setup', '--account', 'tester'], {
        env: { ...process.env, MAILPORT_DATA_DIR: dataDir },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `Mailport is not running (nothing answers on 127.0.0.1:${port})`,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('offers no CA while your own certificate is served', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailport-phone-own-'));
    makeOwnCertificate(dir, 'ec');
    const pem = {
      cert: await readFile(join(dir, 'cert.pem'), 'utf8'),
      key: await readFile(join(dir, 'key.pem'), 'utf8'),
    };
    await rm(dir, { recursive: true, force: true });
    expect((await api('importCertificate', { pem })).status).toBe(200);
    try {
      const setup = await start();
      expect(setup.caFingerprintSha256).toBe('');
      const html = (await get(local(setup))).body.toString();
      expect(html).toContain('Mailport serves your own certificate');
      expect(html).not.toContain('mailport-ca.crt');
      expect((await get(local(setup, 'mailport-ca.crt'))).status).toBe(404);
      const profile = await get(local(setup, 'mailport.mobileconfig', SMTP));
      const top = parse(profile.body.toString()) as Dict;
      expect((top.PayloadContent as Dict[]).map((p) => p.PayloadType)).toEqual([
        'com.apple.mail.managed',
      ]);
    } finally {
      await api('stopPhoneSetup');
      await api('renewCertificate'); // back to the local CA
    }
  });

  it('closes by itself when its time runs out', async () => {
    const setup = await start();
    expect((await get(local(setup))).status).toBe(200);
    await expect
      .poll(async () => (await api('getPhoneSetup')).body, {
        timeout: TTL_MS + 15_000,
        interval: 500,
      })
      .toBeNull();
    expect(await refused(local(setup))).toBe('ECONNREFUSED');
  });

  it('never writes the password to the log', async () => {
    const log = await readFile(dataPaths(server.dataDir).logFile, 'utf8');
    expect(log).toContain('phone setup request');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain('guessing-1');
  });
});
