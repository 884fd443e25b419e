/**
 * Regressions for what `npm run test:fuzz` found, each replayed as a small transcript against
 * the real `mailport serve` process over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineClient } from '../helpers/line-client.js';
import { runMailport, setUpMailport, type RunningMailport } from '../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
/** Longer than the server's 64 KiB line limit. */
const OVERLONG_CHARS = 70_000;

/** Rounds of each race below: enough to hit the window on the old code most runs. */
const RACE_ROUNDS = 150;
const CREATE_RACE_ROUNDS = 500;

let work: string;
let maildir: string;
let server: RunningMailport;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-fuzz-findings-'));
  maildir = join(work, 'Maildir');
  for (const dir of ['cur', 'new', 'tmp']) await mkdir(join(maildir, dir), { recursive: true });
  server = await runMailport(await setUpMailport(maildir, { user: USER, password: PASSWORD }));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

async function connectImap(): Promise<LineClient> {
  const c = await LineClient.connect(server.ports.imap);
  expect(await c.line()).toMatch(/^\* OK /);
  return c;
}

describe('IMAP tags the server cannot echo', () => {
  it('answers an overlong line whose tag is cut short with an untagged BAD', async () => {
    const c = await connectImap();
    c.send(`${'A'.repeat(OVERLONG_CHARS)} NOOP\r\n`);
    expect(await c.line()).toMatch(/^\* BAD /);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    c.close();
  });

  it('answers an overlong line with an invalid tag with an untagged BAD', async () => {
    const c = await connectImap();
    c.send(`c"(( ${'('.repeat(OVERLONG_CHARS)}\r\n`);
    expect(await c.line()).toMatch(/^\* BAD /);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    c.close();
  });

  it('does not echo a tag longer than its limit', async () => {
    const c = await connectImap();
    c.send(`${'t'.repeat(1_000)} NOOP\r\n`);
    const reply = await c.line();
    expect(reply).toMatch(/^\* BAD /);
    expect(reply.length).toBeLessThan(200);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    c.close();
  });
});

describe('POP3 AUTH continuation', () => {
  it('fails AUTH PLAIN on an overlong response line and goes on', async () => {
    const c = await LineClient.connect(server.ports.pop3);
    expect(await c.line()).toMatch(/^\+OK /);
    expect(await c.command('AUTH PLAIN')).toBe('+ ');
    c.send(`AHBvcDMAbm9wZQ==\r${'A'.repeat(5_000)}\r\n`);
    expect(await c.line()).toMatch(/^-ERR .*too long/);
    expect(await c.command('CAPA')).toMatch(/^\+OK/);
    c.close();
  });

  it('takes the first pipelined line after AUTH PLAIN as its response, even an overlong one', async () => {
    const c = await LineClient.connect(server.ports.pop3);
    expect(await c.line()).toMatch(/^\+OK /);
    const token = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
    c.send(`AUTH PLAIN\r\n${'A'.repeat(5_000)}\r\n${token}\r\n`);
    expect(await c.line()).toBe('+ ');
    expect(await c.line()).toMatch(/^-ERR .*too long/);
    // The next line is a command again, not a late SASL response.
    expect(await c.line()).toMatch(/^-ERR Unknown command/);
    c.close();
  });
});

async function loginImap(): Promise<LineClient> {
  const c = await connectImap();
  expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK/);
  return c;
}

/** Sends `commands` pipelined (tags p0, p1, …) and returns each tagged reply in order. */
async function pipelined(c: LineClient, commands: readonly string[]): Promise<string[]> {
  c.send(commands.map((command, i) => `p${i} ${command}\r\n`).join(''));
  const replies: string[] = [];
  for (let i = 0; i < commands.length; i++)
    replies.push((await c.imapUntil(`p${i}`, 30_000)).tagged);
  return replies;
}

function appendCommand(mailbox: string, keyword: string, n: number): string {
  const message = `Subject: race ${n}\r\n\r\nbody ${n}\r\n`;
  return `APPEND ${mailbox} (${keyword}) {${Buffer.byteLength(message)}+}\r\n${message}`;
}

/** Message files in every folder of the Maildir (new/ and cur/). */
async function messageFiles(): Promise<number> {
  const folders = ['', ...(await readdir(maildir)).filter((d) => d.startsWith('.') && d !== '..')];
  let count = 0;
  for (const folder of folders) {
    for (const sub of ['new', 'cur'])
      count += (await readdir(join(maildir, folder, sub)).catch(() => [])).length;
  }
  return count;
}

async function serverErrors(): Promise<string[]> {
  const log = await readFile(join(server.dataDir, 'mailport.log'), 'utf8').catch(() => '');
  return log.split('\n').filter((l) => l.includes('"level":50'));
}

describe('IMAP sessions racing on the same folders', () => {
  it('answers APPEND with a new keyword while another session deletes the folder without SERVERBUG', async () => {
    const [a, b] = [await loginImap(), await loginImap()];
    const appends = Array.from({ length: RACE_ROUNDS }, (_, i) =>
      appendCommand('Race', `$k${i}`, i),
    );
    const churn = Array.from({ length: RACE_ROUNDS }, (_, i) =>
      i % 2 === 0 ? 'CREATE Race' : 'DELETE Race',
    );
    const [appended, churned] = await Promise.all([pipelined(a, appends), pipelined(b, churn)]);
    for (const reply of [...appended, ...churned]) expect(reply).toMatch(/^p\d+ (OK|NO) /);
    expect([...appended, ...churned].filter((r) => r.includes('[SERVERBUG]'))).toEqual([]);
    a.close();
    b.close();
  });

  it('answers CREATE while another session deletes the same name without SERVERBUG', async () => {
    const [a, b, c, d] = await Promise.all([loginImap(), loginImap(), loginImap(), loginImap()]);
    // Two creators against two deleters: the window is one file write after the mkdirs.
    const creates = Array.from({ length: CREATE_RACE_ROUNDS }, () => 'CREATE Churn');
    const deletes = Array.from({ length: CREATE_RACE_ROUNDS }, () => 'DELETE Churn');
    const replies = (
      await Promise.all([
        pipelined(a, creates),
        pipelined(b, deletes),
        pipelined(c, creates),
        pipelined(d, deletes),
      ])
    ).flat();
    for (const reply of replies) expect(reply).toMatch(/^p\d+ (OK|NO) /);
    expect(replies.filter((r) => r.includes('[SERVERBUG]'))).toEqual([]);
    for (const client of [a, b, c, d]) client.close();
  });

  it('keeps every message appended while another session renames INBOX, once each', async () => {
    const before = await messageFiles();
    const [a, b] = [await loginImap(), await loginImap()];
    const appends = Array.from({ length: RACE_ROUNDS }, (_, i) => appendCommand('INBOX', '$x', i));
    const renames = Array.from({ length: RACE_ROUNDS }, (_, i) => `RENAME INBOX Moved${i}`);
    const [appended, renamed] = await Promise.all([pipelined(a, appends), pipelined(b, renames)]);
    expect(appended.filter((r) => !/^p\d+ OK /.test(r))).toEqual([]);
    for (const reply of renamed) expect(reply).toMatch(/^p\d+ OK /);
    // RFC 3501 §6.3.11: OK means stored, so each APPEND left exactly one file somewhere.
    expect((await messageFiles()) - before).toBe(RACE_ROUNDS);
    a.close();
    b.close();
  });

  it('logged no server error during the races', async () => {
    expect(await serverErrors()).toEqual([]);
  });
});

describe('IMAP keywords', () => {
  it('refuses an 8-bit keyword, so FLAGS and PERMANENTFLAGS stay 7-bit', async () => {
    const c = await loginImap();
    const message = 'Subject: k\r\n\r\nbody\r\n';
    c.send(Buffer.from(`k1 APPEND Keys (kw\xe9) {${message.length}+}\r\n${message}\r\n`, 'latin1'));
    expect((await c.imapUntil('k1')).tagged).toMatch(/^k1 BAD /);
    expect((await c.imap('k2', 'CREATE Keys')).tagged).toMatch(/^k2 OK/);
    expect((await c.imap('k3', `APPEND Keys {${message.length}+}\r\n${message}`)).tagged).toMatch(
      /^k3 OK/,
    );
    expect((await c.imap('k4', 'SELECT Keys')).tagged).toMatch(/^k4 OK/);
    c.send(Buffer.from('k5 STORE 1 +FLAGS (caf\xe9\xe6\x97\xa5)\r\n', 'latin1'));
    expect((await c.imapUntil('k5')).tagged).toMatch(/^k5 BAD /);
    const reselect = await c.imap('k6', 'SELECT Keys');
    expect(reselect.tagged).toMatch(/^k6 OK/);
    for (const line of reselect.untagged) expect(line).toMatch(/^[\x20-\x7e]*$/);
    c.close();
  });
});
