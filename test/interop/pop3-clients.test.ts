/**
 * Real POP3 clients against a live `mailport serve` over TLS, each verifying the certificate
 * against the local CA: Python's poplib (3.11) and curl (7.88.1) on a Maildir of a few
 * thousand generated messages; mpop (1.4.18, GnuTLS) and fetchmail (6.4.37, OpenSSL), each
 * downloading with keep, then with delete, the server's Maildir checked on disk after each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MaildirStore } from '../../src-main/core/store/maildir/maildir-store.js';
import {
  generateMessages,
  wireBytes,
  writeCorpus,
  type GeneratedMessage,
} from '../helpers/corpus.js';
import { run } from '../helpers/run.js';
import { serveSecurely, type SecureMailport } from '../helpers/secure-serve.js';

const POPLIB = resolve(import.meta.dirname, '../fixtures/pop3_download.py');
const COUNT = 2500;
/** The maildrops mpop and fetchmail empty: fewer messages, more of them large. */
const SMALL = 300;

const messageId = (bytes: Buffer): string =>
  /Message-ID: (<[^>]+>)/i.exec(bytes.toString('latin1'))?.[1] ?? '';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** What a client that stores LF files (mpop, fetchmail) should have: wire bytes with LF. */
const normalized = (b: Buffer): string =>
  b.toString('latin1').replace(/\r\n/g, '\n').replace(/\n+$/, '');

let work: string;
let mp: SecureMailport;
const corpus = generateMessages({ count: COUNT, seed: 42 });
const small = generateMessages({ count: SMALL, seed: 7, largeShare: 0.01 });
const maildir = (user: string) => join(work, user);
const password = (user: string) => `${user} password`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-pop3-'));
  await writeCorpus(maildir('corpus'), corpus);
  await writeCorpus(maildir('mpop'), small);
  await writeCorpus(maildir('fetchmail'), small);
  mp = await serveSecurely(
    ['corpus', 'mpop', 'fetchmail'].map((user) => ({
      user,
      password: password(user),
      maildir: maildir(user),
    })),
  );
});

afterAll(async () => {
  await mp?.stop();
  await rm(work, { recursive: true, force: true });
});

interface PoplibSummary {
  tls: string;
  stat: [number, number];
  list: [string, string][];
  uidl: [string, string][];
}

async function poplib(mode: 'ssl' | 'stls', args: string[] = []) {
  const out = await mkdtemp(join(work, 'poplib-'));
  const port = mode === 'ssl' ? mp.ports.pop3s : mp.ports.pop3;
  const result = await run('python3', [
    POPLIB,
    '127.0.0.1',
    String(port),
    'corpus',
    password('corpus'),
    mp.caFile,
    mode,
    out,
    ...args,
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as PoplibSummary;
  return { out, summary };
}

/** The files of a Maildir's INBOX: name → bytes. */
async function inbox(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const sub of ['cur', 'new'])
    for (const name of await readdir(join(dir, sub)))
      files.set(`${sub}/${name}`, await readFile(join(dir, sub, name)));
  return files;
}

/** The server kept every message byte for byte; each retrieved one is now \Seen. */
async function expectKept(dir: string, messages: readonly GeneratedMessage[]): Promise<void> {
  const files = await inbox(dir);
  expect(files.size).toBe(messages.length);
  const want = new Map(messages.map((m) => [messageId(m.bytes), sha(m.bytes)]));
  for (const [name, bytes] of files) {
    expect(sha(bytes), name).toBe(want.get(messageId(bytes)));
    expect(name, 'retrieved, so \\Seen at QUIT').toMatch(/^cur\/.*:2,[A-Z]*S[A-Z]*$/);
  }
}

describe('poplib over TLS on a Maildir of a few thousand messages', () => {
  let downloaded: { out: string; summary: PoplibSummary };

  beforeAll(async () => {
    downloaded = await poplib('ssl');
  }, 300_000);

  it('STAT and LIST give the CRLF size of every file', () => {
    const { stat, list, tls } = downloaded.summary;
    expect(tls).toMatch(/^TLSv1\.[23]$/);
    const total = corpus.reduce((sum, m) => sum + wireBytes(m.bytes).length, 0);
    expect(stat).toEqual([COUNT, total]);
    expect(list).toHaveLength(COUNT);
    expect(list.reduce((sum, [, size]) => sum + Number(size), 0)).toBe(total);
  });

  it('RETR returns each file with CRLF line ends, and LIST matches what was sent', async () => {
    const byId = new Map(corpus.map((m) => [messageId(m.bytes), m]));
    const seen = new Set<string>();
    for (const [n, size] of downloaded.summary.list) {
      const got = await readFile(join(downloaded.out, `${n}.eml`));
      const original = byId.get(messageId(got));
      expect(original, `message ${n} has an unknown Message-ID`).toBeDefined();
      const expected = wireBytes(original!.bytes);
      // poplib strips the final line end; the server adds one to files that lack it.
      expect(sha(Buffer.concat([got, Buffer.from('\r\n')]))).toBe(
        sha(
          expected.toString('latin1').endsWith('\r\n')
            ? expected
            : Buffer.concat([expected, Buffer.from('\r\n')]),
        ),
      );
      expect(Number(size)).toBe(expected.length);
      seen.add(messageId(got));
    }
    expect(seen.size).toBe(COUNT);
  });

  it('kept every message on the server, marked \\Seen', async () => {
    await expectKept(maildir('corpus'), corpus);
  });

  it('UIDL is unique, Dovecot-shaped, and identical after a restart (over STLS)', async () => {
    const before = downloaded.summary.uidl;
    expect(new Set(before.map(([, id]) => id)).size).toBe(COUNT);
    for (const [, id] of before) expect(id).toMatch(/^[0-9a-f]{16}$/);
    await mp.restart();
    expect(mp.server.output()).not.toContain('Creating the local certificate authority');
    const after = (await poplib('stls', ['--no-retr'])).summary;
    expect(after.tls).toMatch(/^TLSv1\.[23]$/);
    expect(after.uidl).toEqual(before);
  });

  it('curl pop3s:// retrieves messages with leading dots and large ones intact', async () => {
    const url = `pop3s://127.0.0.1:${mp.ports.pop3s}`;
    const user = ['--cacert', mp.caFile, '--user', `corpus:${password('corpus')}`];
    const wanted = corpus
      .map((m, i) => ({ m, n: i + 1 }))
      .filter(({ m }, i) => i % 250 === 0 || m.bytes.includes('\n.') || m.bytes.length > 1e6);
    expect(wanted.some(({ m }) => m.bytes.length > 1e6)).toBe(true);
    const listing = (await poplib('ssl', ['--no-retr'])).summary.list;
    for (const { m } of wanted.slice(0, 40)) {
      // Messages are numbered by UID, which follows the order the files arrived in.
      const n = corpus.indexOf(m) + 1;
      expect(listing[n - 1]![1]).toBe(String(wireBytes(m.bytes).length));
      const got = await run('curl', ['-sS', ...user, `${url}/${n}`]);
      expect(got.code, got.stderr).toBe(0);
      expect(normalized(Buffer.from(got.stdout, 'utf8'))).toBe(normalized(m.bytes));
    }
  });
});

/** The folder holds one file per message, each the original with LF line ends. */
async function expectDownloaded(folder: string, messages: readonly GeneratedMessage[]) {
  const names = await readdir(folder);
  expect(names).toHaveLength(messages.length);
  const byId = new Map(messages.map((m) => [messageId(m.bytes), m]));
  const seen = new Set<string>();
  for (const name of names) {
    const got = await readFile(join(folder, name));
    const original = byId.get(messageId(got));
    expect(original, `${name} has an unknown Message-ID`).toBeDefined();
    expect(normalized(got)).toBe(normalized(original!.bytes));
    seen.add(messageId(got));
  }
  expect(seen.size).toBe(messages.length);
}

const late: GeneratedMessage = {
  fileName: '',
  bytes: Buffer.from(
    'From: late@example.org\nSubject: late\nMessage-ID: <late@example.org>\n\nx\n',
  ),
};

describe('mpop', () => {
  const dest = () => join(work, 'mpop-out');
  const mpop = (tls: 'implicit' | 'starttls', keep: boolean) =>
    run('mpop', [
      '--host=127.0.0.1',
      `--port=${tls === 'implicit' ? mp.ports.pop3s : mp.ports.pop3}`,
      '--tls=on',
      `--tls-starttls=${tls === 'starttls' ? 'on' : 'off'}`,
      `--tls-trust-file=${mp.caFile}`,
      '--auth=user',
      '--user=mpop',
      `--passwordeval=echo '${password('mpop')}'`,
      `--keep=${keep ? 'on' : 'off'}`,
      '--received-header=off',
      `--delivery=maildir,${dest()}`,
      `--uidls-file=${join(work, 'mpop-uidls')}`,
      '--quiet',
    ]);

  it('downloads every message over implicit TLS, keeping them on the server', async () => {
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(dest(), sub), { recursive: true });
    const result = await mpop('implicit', true);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await expectDownloaded(join(dest(), 'new'), small);
    await expectKept(maildir('mpop'), small);
  });

  it('then over STARTTLS without keep: fetches the new one and empties the maildrop', async () => {
    await new MaildirStore(maildir('mpop')).deliver('INBOX', late.bytes);
    const result = await mpop('starttls', false);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await expectDownloaded(join(dest(), 'new'), [...small, late]);
    expect((await inbox(maildir('mpop'))).size).toBe(0);
  });
});

describe('fetchmail', () => {
  let home: string;
  let dest: string;

  beforeAll(async () => {
    home = await mkdtemp(join(work, 'fetchmail-'));
    dest = join(home, 'out');
    await mkdir(dest);
  });

  /** fetchmail checks DNS names only, so it polls `localhost`. */
  async function fetchmail(tls: 'implicit' | 'starttls', options: string) {
    const mda = join(home, 'mda.sh');
    await writeFile(mda, `#!/bin/sh\nexec cat > "${dest}/$(date +%s%N).$$"\n`);
    await chmod(mda, 0o755);
    const port = tls === 'implicit' ? mp.ports.pop3s : mp.ports.pop3;
    // Without `ssl`, `sslproto tls1.2+` makes STLS mandatory.
    const ssl = tls === 'implicit' ? 'ssl' : "sslproto 'tls1.2+'";
    const rc = join(home, 'fetchmailrc');
    await writeFile(
      rc,
      `set no syslog\npoll localhost with proto POP3 port ${port} auth password\n` +
        `  user "fetchmail" there with password "${password('fetchmail')}" is root here\n` +
        `  options ${options} ${ssl} sslcertck sslcertfile "${mp.caFile}" no rewrite mda "${mda}"\n`,
    );
    await chmod(rc, 0o600);
    // Its own pid file: as root, fetchmail would otherwise lock /run/fetchmail.pid.
    const args = ['--nodetach', '--invisible', '--pidfile', join(home, 'pid'), '-f', rc];
    return run('fetchmail', args, {
      env: { ...process.env, FETCHMAILHOME: home, HOME: home },
    });
  }

  it('downloads every message over STLS, keeping them on the server', async () => {
    const result = await fetchmail('starttls', 'keep');
    expect(result.code, result.stderr).toBe(0);
    await expectDownloaded(dest, small);
    await expectKept(maildir('fetchmail'), small);
  });

  it('then over implicit TLS with flush: fetches the new one and empties the maildrop', async () => {
    await new MaildirStore(maildir('fetchmail')).deliver('INBOX', late.bytes);
    const result = await fetchmail('implicit', 'no keep flush');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${SMALL + 1} messages (${SMALL} seen)`);
    await expectDownloaded(dest, [...small, late]);
    expect((await inbox(maildir('fetchmail'))).size).toBe(0);
  });
});
