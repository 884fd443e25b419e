/**
 * The LAN path, end to end: `mailport serve` in its own network namespace, a "phone" in
 * another, joined by a veth pair. The phone opens the setup page at the LAN address from the
 * API, checks the CA it downloads against the fingerprint with openssl, and logs in over
 * IMAPS to the LAN address with that CA and host-name verification on (Python's imaplib and
 * curl). The page refuses requests without the token and after Done.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../../src-main/core/config/paths.js';
import type { PhoneSetup } from '../../src-main/core/control/api.js';
import { createLanPair, type LanPair } from '../helpers/netns.js';
import { freePort } from '../helpers/ports.js';
import { runMailport, setUpMailport, type RunningMailport } from '../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'lan-test horse battery';
let lan: LanPair | undefined;
let server: RunningMailport | undefined;
let maildir: string;
let home: string;
let phoneDir: string;
let adminPort: number;
let token: string;

beforeAll(async () => {
  maildir = await mkdtemp(join(tmpdir(), 'mailport-lan-mail-'));
  home = await mkdtemp(join(tmpdir(), 'mailport-lan-home-'));
  phoneDir = await mkdtemp(join(tmpdir(), 'mailport-lan-phone-'));
  for (const sub of ['new', 'cur', 'tmp']) await mkdir(join(maildir, sub));
  await writeFile(
    join(maildir, 'new', '1700000000.M1P1.lan'),
    'From: a@example.com\r\nSubject: over the LAN\r\n\r\nhello\r\n',
  );
  lan = await createLanPair();
  adminPort = await freePort();
  const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD }, (s) => {
    s.bind.address = 'all';
    s.security.loginPolicy = 'secure';
    s.admin.port = adminPort;
  });
  server = await runMailport(setup, { HOME: home }, ['ip', 'netns', 'exec', lan.server]);
  token = (await readFile(dataPaths(setup.dataDir).adminToken, 'utf8')).trim();
});

afterAll(async () => {
  await server?.stop();
  await lan?.remove();
  for (const dir of [maildir, home, phoneDir, server?.dataDir])
    if (dir) await rm(dir, { recursive: true, force: true });
});

/** The admin API, asked from inside the server's namespace (it listens on loopback there). */
async function api<T>(method: string, args: unknown = {}): Promise<T> {
  const result = await lan!.exec(lan!.server, [
    'curl',
    '-sS',
    '--max-time',
    '20',
    '-X',
    'POST',
    '-H',
    `Authorization: Bearer ${token}`,
    '-H',
    'Content-Type: application/json',
    `http://127.0.0.1:${adminPort}/api/${method}`,
    '-d',
    JSON.stringify(args),
  ]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as T;
}

/** curl on the phone; `-w` adds the HTTP status on a last line. */
async function phoneGet(url: string, extra: string[] = []) {
  const result = await lan!.exec(lan!.phone, [
    'curl',
    '-sS',
    '--max-time',
    '20',
    ...extra,
    '-w',
    '\n%{http_code}',
    url,
  ]);
  const cut = result.stdout.lastIndexOf('\n');
  return {
    code: result.code,
    status: Number(result.stdout.slice(cut + 1)),
    body: result.stdout.slice(0, cut),
    stderr: result.stderr,
  };
}

const IMAP_LOGIN = `
import imaplib, ssl, sys
host, port, user, password, cafile = sys.argv[1:6]
context = ssl.create_default_context(cafile=cafile)
assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=context)
print(imap.login(user, password)[0])
typ, data = imap.select("INBOX")
print(typ, data[0].decode())
print(imap.logout()[0])
`;

describe('a phone on the LAN', () => {
  it('sets up from the page and reads mail over IMAPS with the CA it installed', async () => {
    const setup = await api<PhoneSetup>('startPhoneSetup', { account: USER });
    const url = new URL(setup.url);
    expect(url.hostname).toBe(lan!.serverAddress);
    expect(setup.caFingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const page = await phoneGet(setup.url);
    expect([page.code, page.status, page.stderr]).toEqual([0, 200, '']);
    const shown = /<code class="fp" id="fingerprint">([0-9A-F:]+)<\/code>/.exec(page.body)?.[1];
    expect(shown).toBe(setup.caFingerprintSha256);
    expect(page.body).toContain(
      `<code>${lan!.serverAddress}</code>, port <code>${server!.ports.imaps}</code>`,
    );

    const crt = join(phoneDir, 'mailport-ca.crt');
    const pem = join(phoneDir, 'mailport-ca.pem');
    expect((await phoneGet(`${setup.url}mailport-ca.crt`, ['-o', crt])).status).toBe(200);
    const fingerprint = await lan!.exec(lan!.phone, [
      'openssl',
      'x509',
      '-inform',
      'DER',
      '-in',
      crt,
      '-noout',
      '-fingerprint',
      '-sha256',
    ]);
    expect(fingerprint.stdout.trim()).toBe(`sha256 Fingerprint=${setup.caFingerprintSha256}`);
    const converted = await lan!.exec(lan!.phone, [
      'openssl',
      'x509',
      '-inform',
      'DER',
      '-in',
      crt,
      '-out',
      pem,
    ]);
    expect(converted.code).toBe(0);

    const profile = await phoneGet(
      `${setup.url}mailport.mobileconfig?smtpHost=smtp.example.com&smtpPort=465&smtpSsl=on&smtpUser=me`,
    );
    expect(profile.status).toBe(200);
    const payloads = (parse(profile.body) as { PayloadContent: Record<string, unknown>[] })
      .PayloadContent;
    const root = payloads.find((p) => p.PayloadType === 'com.apple.security.root')!;
    expect(Buffer.from(root.PayloadContent as Uint8Array).equals(await readFile(crt))).toBe(true);
    expect(payloads.find((p) => p.PayloadType === 'com.apple.mail.managed')).toMatchObject({
      IncomingMailServerHostName: lan!.serverAddress,
      IncomingMailServerPortNumber: server!.ports.imaps,
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: USER,
    });

    const imap = await lan!.exec(lan!.phone, [
      'python3',
      '-c',
      IMAP_LOGIN,
      lan!.serverAddress,
      String(server!.ports.imaps),
      USER,
      PASSWORD,
      pem,
    ]);
    expect([imap.stderr, imap.stdout]).toEqual(['', 'OK\nOK 1\nBYE\n']);

    const imapsUrl = `imaps://${lan!.serverAddress}:${server!.ports.imaps}/INBOX`;
    const curl = await lan!.exec(lan!.phone, [
      'curl',
      '-sS',
      '--max-time',
      '20',
      '--cacert',
      pem,
      '--user',
      `${USER}:${PASSWORD}`,
      imapsUrl,
      '-X',
      'EXAMINE INBOX',
    ]);
    expect([curl.code, curl.stderr]).toEqual([0, '']);
    expect(curl.stdout).toContain('* 1 EXISTS');
    // With only the system's CAs, the same connection fails certificate verification.
    const untrusted = await lan!.exec(lan!.phone, [
      'curl',
      '-sS',
      '--max-time',
      '20',
      '--user',
      `${USER}:${PASSWORD}`,
      imapsUrl,
      '-X',
      'EXAMINE INBOX',
    ]);
    expect(untrusted.code).toBe(60); // CURLE_PEER_FAILED_VERIFICATION

    const base = `http://${lan!.serverAddress}:${url.port}`;
    for (const path of ['/', '/mailport-ca.crt', `/${'A'.repeat(32)}/mailport-ca.crt`]) {
      const refused = await phoneGet(`${base}${path}`);
      expect([path, refused.status, refused.body]).toEqual([path, 404, '']);
    }

    expect(await api('stopPhoneSetup')).toEqual({ stopped: true });
    const closed = await phoneGet(setup.url);
    expect(closed.code).toBe(7); // CURLE_COULDNT_CONNECT: nothing listens any more
  });
});
