/**
 * Real POP3 clients (Python's poplib, curl, fetchmail, mpop) against a running `mailport serve`
 * on a Maildir of a few thousand generated messages. Everything is checked against the files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  generateMessages,
  wireBytes,
  writeCorpus,
  type GeneratedMessage,
} from '../../helpers/corpus.js';
import { run } from '../../helpers/run.js';
import {
  runMailport,
  setUpMailport,
  type MailportSetup,
  type RunningMailport,
} from '../../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
const POPLIB = resolve(import.meta.dirname, '../../fixtures/pop3_download.py');
const COUNT = 2500;

const messageId = (bytes: Buffer): string =>
  /Message-ID: (<[^>]+>)/i.exec(bytes.toString('latin1'))?.[1] ?? '';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** What a client that stores LF files (mpop, fetchmail) should have: wire bytes with LF. */
const normalized = (b: Buffer): string =>
  b.toString('latin1').replace(/\r\n/g, '\n').replace(/\n+$/, '');

let work: string;
let maildir: string;
let corpus: GeneratedMessage[];
let byId: Map<string, GeneratedMessage>;
let setup: MailportSetup;
let server: RunningMailport;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-pop3-'));
  maildir = join(work, 'Maildir');
  corpus = generateMessages({ count: COUNT, seed: 42 });
  byId = new Map(corpus.map((m) => [messageId(m.bytes), m]));
  await writeCorpus(maildir, corpus);
  setup = await setUpMailport(maildir, { user: USER, password: PASSWORD });
  server = await runMailport(setup);
});

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

async function poplib(args: string[] = []) {
  const out = await mkdtemp(join(work, 'poplib-'));
  const result = await run('python3', [
    POPLIB,
    '127.0.0.1',
    String(setup.ports.pop3),
    USER,
    PASSWORD,
    out,
    ...args,
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as {
    stat: [number, number];
    list: [string, string][];
    uidl: [string, string][];
  };
  return { out, summary };
}

describe('POP3 with real clients on a Maildir of a few thousand messages', () => {
  let downloaded: { out: string; summary: Awaited<ReturnType<typeof poplib>>['summary'] };

  beforeAll(async () => {
    downloaded = await poplib();
  }, 300_000);

  it('poplib: STAT and LIST give the CRLF size of every file', () => {
    const { stat, list } = downloaded.summary;
    const total = corpus.reduce((sum, m) => sum + wireBytes(m.bytes).length, 0);
    expect(stat).toEqual([COUNT, total]);
    expect(list).toHaveLength(COUNT);
    expect(list.reduce((sum, [, size]) => sum + Number(size), 0)).toBe(total);
  });

  it('poplib: RETR returns each file with CRLF line ends, and LIST matches what was sent', async () => {
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

  it('UIDL is unique, Dovecot-shaped, and identical after a restart', async () => {
    const before = downloaded.summary.uidl;
    expect(new Set(before.map(([, id]) => id)).size).toBe(COUNT);
    for (const [, id] of before) expect(id).toMatch(/^[0-9A-F]{16}$/);
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.output()).toContain('Stopped.');
    server = await runMailport(setup);
    const after = (await poplib(['--no-retr'])).summary.uidl;
    expect(after).toEqual(before);
  });

  it('curl pop3:// lists and retrieves', async () => {
    const url = `pop3://127.0.0.1:${setup.ports.pop3}`;
    const listing = await run('curl', ['-sS', '--user', `${USER}:${PASSWORD}`, `${url}/`]);
    expect(listing.code).toBe(0);
    const lines = listing.stdout.trim().split(/\r?\n/);
    expect(lines).toHaveLength(COUNT);
    expect(lines.map((l) => l.split(' '))).toEqual(downloaded.summary.list);
    // Every message with leading dots, every large one, and a sample of the rest.
    const wanted = downloaded.summary.list.filter(
      ([n], i) => i % 250 === 0 || isSpecial(Number(n)),
    );
    for (const [n] of wanted.slice(0, 40)) {
      const got = await run('curl', ['-sS', '--user', `${USER}:${PASSWORD}`, `${url}/${n}`]);
      expect(got.code).toBe(0);
      const original = byId.get(messageId(Buffer.from(got.stdout, 'latin1')))!;
      expect(normalized(Buffer.from(got.stdout, 'utf8'))).toBe(normalized(original.bytes));
    }
  });

  it('mpop downloads every message, keeping them on the server', async () => {
    const dest = join(work, 'mpop-maildir');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(dest, sub), { recursive: true });
    const result = await run('mpop', [
      '--host=127.0.0.1',
      `--port=${setup.ports.pop3}`,
      '--tls=off',
      '--auth=user',
      `--user=${USER}`,
      `--passwordeval=echo '${PASSWORD}'`,
      '--keep=on',
      '--received-header=off',
      `--delivery=maildir,${dest}`,
      `--uidls-file=${join(work, 'mpop-uidls')}`,
      '--quiet',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await expectSameMessages(join(dest, 'new'));
  });

  it('fetchmail downloads every message, keeping them on the server', async () => {
    const home = await mkdtemp(join(work, 'fetchmail-'));
    const dest = join(home, 'out');
    await mkdir(dest);
    const mda = join(home, 'mda.sh');
    await writeFile(mda, `#!/bin/sh\nexec cat > "${dest}/$(date +%s%N).$$"\n`);
    await chmod(mda, 0o755);
    const rc = join(home, 'fetchmailrc');
    await writeFile(
      rc,
      `set no syslog\npoll 127.0.0.1 with proto POP3 port ${setup.ports.pop3} auth password\n` +
        `  user "${USER}" there with password "${PASSWORD}" is root here\n` +
        `  options keep fetchall no rewrite sslproto '' mda "${mda}"\n`,
    );
    await chmod(rc, 0o600);
    const result = await run('fetchmail', ['--nodetach', '--invisible', '-f', rc], {
      env: { ...process.env, FETCHMAILHOME: home, HOME: home },
    });
    expect(result.code, result.stderr).toBe(0);
    await expectSameMessages(dest);
  });

  it('kept every message on the server after the downloads', async () => {
    const files = [
      ...(await readdir(join(maildir, 'cur'))),
      ...(await readdir(join(maildir, 'new'))),
    ];
    expect(files).toHaveLength(COUNT);
  });
});

function isSpecial(n: number): boolean {
  const m = corpus[n - 1];
  return !!m && (m.bytes.includes('\n.') || m.bytes.length > 1_000_000);
}

/** The folder holds one file per corpus message, each the original with LF line ends. */
async function expectSameMessages(folder: string): Promise<void> {
  const names = await readdir(folder);
  expect(names).toHaveLength(COUNT);
  const seen = new Set<string>();
  for (const name of names) {
    const got = await readFile(join(folder, name));
    const id = messageId(got);
    const original = byId.get(id);
    expect(original, `${name} has an unknown Message-ID`).toBeDefined();
    expect(normalized(got)).toBe(normalized(original!.bytes));
    seen.add(id);
  }
  expect(seen.size).toBe(COUNT);
}
