/**
 * curl (7.88.1, OpenSSL 3) against a live `mailport serve`: `imaps://` and `pop3s://` (implicit
 * TLS), `imap://` and `pop3://` with `--ssl-reqd` (STARTTLS/STLS, never in the clear), the
 * certificate verified against the local CA each time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaildirStore } from '../../src-main/core/store/maildir/maildir-store.js';
import { run } from '../helpers/run.js';
import { serveSecurely, type SecureMailport } from '../helpers/secure-serve.js';

const USER = 'curl';
const PASSWORD = 'curl password';
let work: string;
let mp: SecureMailport;

const message = (n: number) =>
  `From: a@example.org\nSubject: curl ${n}\nMessage-ID: <curl${n}@example.org>\n\nbody ${n}\n`;
const wire = (text: string) => text.replace(/\n/g, '\r\n');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-curl-'));
  mp = await serveSecurely([{ user: USER, password: PASSWORD, maildir: join(work, 'Maildir') }]);
  const store = new MaildirStore(join(work, 'Maildir'));
  await store.createMailbox('Archive');
  for (let n = 1; n <= 3; n++) await store.deliver('INBOX', Buffer.from(message(n)));
});

afterAll(async () => {
  await mp?.stop();
  await rm(work, { recursive: true, force: true });
});

const curl = (url: string, ...extra: string[]) =>
  run('curl', ['-sS', '--cacert', mp.caFile, '--user', `${USER}:${PASSWORD}`, ...extra, url]);

describe('curl', () => {
  it('gets a leaf certificate naming localhost and 127.0.0.1, the names the clients dial', async () => {
    const leaf = join(mp.caFile, '..', 'server.pem');
    const sans = await run('openssl', ['x509', '-in', leaf, '-noout', '-ext', 'subjectAltName']);
    expect(sans.stdout).toContain('DNS:localhost');
    expect(sans.stdout).toContain('IP Address:127.0.0.1');
    const verify = await run('openssl', ['verify', '-CAfile', mp.caFile, leaf]);
    expect(verify.stdout.trim()).toBe(`${leaf}: OK`);
  });

  it('refuses the server without the local CA (exit 60: peer certificate not verified)', async () => {
    for (const url of [
      `imaps://127.0.0.1:${mp.ports.imaps}/`,
      `pop3s://127.0.0.1:${mp.ports.pop3s}/`,
    ]) {
      const result = await run('curl', ['-sS', '--user', `${USER}:${PASSWORD}`, url]);
      expect(result.code, url).toBe(60);
      expect(result.stderr).toMatch(/certificate/i);
    }
  });

  it.each([
    ['imaps://127.0.0.1', 'imaps', []],
    ['imaps://localhost', 'imaps', []],
    ['imap://127.0.0.1 with --ssl-reqd', 'imap', ['--ssl-reqd']],
  ] as const)('%s: lists folders, fetches by UID, searches', async (_name, listener, extra) => {
    const host = _name.includes('localhost') ? 'localhost' : '127.0.0.1';
    const base = `${listener}://${host}:${mp.ports[listener]}`;
    const listing = await curl(`${base}/`, ...extra);
    expect(listing.code, listing.stderr).toBe(0);
    expect(listing.stdout).toContain('"/" INBOX\r\n');
    expect(listing.stdout).toContain('(\\HasNoChildren \\Archive) "/" Archive\r\n');
    const fetched = await curl(`${base}/INBOX;UID=2`, ...extra);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toBe(wire(message(2)));
    const search = await curl(`${base}/INBOX?SUBJECT%20%22curl%203%22`, ...extra);
    expect(search.stdout).toBe('* SEARCH 3\r\n');
  });

  it('imap:// and pop3:// without --ssl-reqd are refused a password in the clear', async () => {
    for (const url of [
      `imap://127.0.0.1:${mp.ports.imap}/`,
      `pop3://127.0.0.1:${mp.ports.pop3}/`,
    ]) {
      const result = await curl(url);
      expect(result.code, url).toBe(67); // CURLE_LOGIN_DENIED
      expect(result.stdout).toBe('');
    }
  });

  it.each([
    ['pop3s://127.0.0.1', 'pop3s', []],
    ['pop3://127.0.0.1 with --ssl-reqd', 'pop3', ['--ssl-reqd']],
  ] as const)('%s: lists and retrieves, leaving the mail', async (_name, listener, extra) => {
    const base = `${listener}://127.0.0.1:${mp.ports[listener]}`;
    const listing = await curl(`${base}/`, ...extra);
    expect(listing.code, listing.stderr).toBe(0);
    const sizes = [1, 2, 3].map((n) => `${n} ${Buffer.byteLength(wire(message(n)))}\r\n`);
    expect(listing.stdout).toBe(sizes.join(''));
    const retrieved = await curl(`${base}/3`, ...extra);
    expect(retrieved.code, retrieved.stderr).toBe(0);
    expect(retrieved.stdout).toBe(wire(message(3)));
    const files = [
      ...(await readdir(join(work, 'Maildir', 'cur'))),
      ...(await readdir(join(work, 'Maildir', 'new'))),
    ];
    expect(files).toHaveLength(3);
  });
});
