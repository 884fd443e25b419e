/**
 * Against the built `mailport serve`: LIST patterns that would backtrack, mailbox names and
 * renames the file system refuses (client mistakes, answered with RFC 5530 codes and never
 * logged as server errors), and logs that stay under their size limit while serving.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPaths } from '../../../src-main/core/config/paths.js';
import type { Settings } from '../../../src-main/core/config/schema.js';
import { encodeModifiedUtf7 } from '../../../src-main/core/store/mailbox-name.js';
import { LineClient } from '../../helpers/line-client.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
let work: string;
let maildir: string;
let server: RunningMailport | undefined;
const clients: LineClient[] = [];

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-hostile-'));
  maildir = join(work, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop('SIGKILL'); // a server stuck in a regex would not answer SIGTERM
  server = undefined;
  await rm(work, { recursive: true, force: true });
});

async function serve(change: (s: Settings) => void = () => undefined): Promise<RunningMailport> {
  const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD }, change);
  server = await runMailport(setup);
  return server;
}

async function login(port: number): Promise<LineClient> {
  const c = await LineClient.connect(port);
  clients.push(c);
  expect(await c.line()).toMatch(/^\* OK /);
  expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK /);
  return c;
}

/** Stops the server (its log is written out on the way) and returns the app log's lines. */
async function stoppedLog(running: RunningMailport): Promise<string[]> {
  expect(await running.stop()).toBe(0);
  const text = await readFile(dataPaths(running.dataDir).logFile, 'utf8');
  return text.split('\n').filter(Boolean);
}

/** Maildir++ folders other than the special-use ones created at login. */
const ownFolders = async () =>
  (await readdir(maildir))
    .filter((f) => f.startsWith('.') && !SPECIAL_USE_FOLDERS.includes(f))
    .sort();
const SPECIAL_USE_FOLDERS = ['.Archive', '.Drafts', '.Junk', '.Sent', '.Trash'];

const errorLines = (lines: string[]) =>
  lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);

describe('LIST matching', () => {
  it('answers a pattern that makes a regex backtrack, while another session is served', async () => {
    const running = await serve();
    const lister = await login(running.ports.imap);
    const other = await login(running.ports.imap);
    const long = 'a'.repeat(40);
    expect((await lister.imap('c1', `CREATE ${long}`)).tagged).toMatch(/^c1 OK/);
    expect((await lister.imap('c2', `CREATE ${long}b`)).tagged).toMatch(/^c2 OK/);

    lister.send(`p LIST "" "${'*a'.repeat(13)}*b"\r\n`);
    expect((await other.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    const listed = await lister.imapUntil('p');
    expect(listed).toEqual({
      untagged: [`* LIST (\\HasNoChildren) "/" ${long}b`],
      tagged: 'p OK List completed.',
    });

    const tooLong = await lister.imap('q', `LIST "" "${'%'.repeat(1025)}"`);
    expect(tooLong.tagged).toMatch(/^q BAD .*longer than 1024 characters/);
    expect((await lister.imap('r', 'LIST "" "%"')).tagged).toBe('r OK List completed.');
    expect(errorLines(await stoppedLog(running))).toEqual([]);
  });
});

describe('mailbox names the file system refuses', () => {
  it('answers RENAME onto existing folders with [ALREADYEXISTS] and moves nothing', async () => {
    const running = await serve();
    const c = await login(running.ports.imap);
    for (const name of ['A', 'A/x', 'B/x'])
      expect((await c.imap('c', `CREATE ${name}`)).tagged).toMatch(/^c OK/);
    // A folder another program left there, holding a file but not a Maildir.
    await mkdir(join(maildir, '.C'));
    await writeFile(join(maildir, '.C', 'notes'), 'not mail');

    const onChild = await c.imap('r1', 'RENAME A B');
    expect(onChild.tagged).toBe('r1 NO [ALREADYEXISTS] Mailbox "B/x" already exists');
    const onFolder = await c.imap('r2', 'RENAME A C');
    expect(onFolder.tagged).toMatch(/^r2 NO \[ALREADYEXISTS\] /);
    expect(await ownFolders()).toEqual(['.A', '.A.x', '.B.x', '.C']);
    expect(await readdir(join(maildir, '.C'))).toEqual(['notes']);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    expect(errorLines(await stoppedLog(running))).toEqual([]);
  });

  it('refuses names too long for a Maildir++ folder with [CANNOT] and creates nothing', async () => {
    const running = await serve();
    const c = await login(running.ports.imap);
    const ascii = await c.imap('c1', `CREATE ${'x'.repeat(300)}`);
    expect(ascii.tagged).toBe(
      'c1 NO [CANNOT] Mailbox name is too long (300 characters): choose a shorter name',
    );
    // 100 characters, but 270 bytes once encoded in modified UTF-7 (RFC 3501 §5.1.3).
    const encoded = await c.imap('c2', `CREATE "${encodeModifiedUtf7('ä'.repeat(100))}"`);
    expect(encoded.tagged).toMatch(/^c2 NO \[CANNOT\] Mailbox name is too long/);
    const rename = await c.imap('c3', `RENAME INBOX ${'y'.repeat(300)}`);
    expect(rename.tagged).toMatch(/^c3 NO \[CANNOT\] Mailbox name is too long/);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    expect(await ownFolders()).toEqual([]);
    expect(errorLines(await stoppedLog(running))).toEqual([]);
  });
});

describe('log rotation while serving', () => {
  it('keeps the app log and the protocol log under their size, with two old files', async () => {
    const maxBytes = 16 * 1024;
    const running = await serve((s) => {
      s.logging.maxFileKilobytes = 16;
      s.logging.keepFiles = 2;
      s.listeners.imap.protocolLog = true;
    });
    const c = await login(running.ports.imap);
    const fields = Array.from({ length: 10 }, (_, i) => `"f${i}" "${'v'.repeat(200)}"`).join(' ');
    for (let i = 0; i < 60; i++) {
      expect((await c.imap(`i${i}`, `ID ("name" "client ${i}" ${fields})`)).tagged).toMatch(/OK/);
      expect((await c.imap(`l${i}`, `LIST "" "${'z'.repeat(1000)}"`)).tagged).toMatch(/OK/);
    }
    await stoppedLog(running);
    const { logFile, logsDir } = dataPaths(running.dataDir);
    for (const log of [logFile, join(logsDir, 'imap.log')]) {
      for (const suffix of ['', '.1', '.2'])
        expect((await stat(`${log}${suffix}`)).size).toBeLessThanOrEqual(maxBytes);
      await expect(stat(`${log}.3`)).rejects.toThrow(/ENOENT/);
    }
    // The newest lines are in the current files: logging went on after each rotation.
    expect(await readFile(logFile, 'utf8')).toContain('client 59');
    expect(await readFile(join(logsDir, 'imap.log'), 'utf8')).toContain('l59 LIST');
  });
});
