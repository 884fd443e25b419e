/**
 * Hostile input against the real `mailport serve` process: whole-command limits before and
 * after login, continuation lines, replies that quote the client, nested SEARCH keys, huge
 * sequence sets and slow readers. Memory is read from /proc/<pid>/status of the served
 * process, and the process must still serve another client afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
const MESSAGES = 10_000;
const BIG_MESSAGE_BYTES = 2 * 1024 * 1024;
const MIB = 1024 * 1024;
/** Generous: the server may grow, but not by what the clients sent. */
const RSS_GROWTH_BOUND_KB = 200 * 1024;

let work: string;
let logged: RunningMailport;
let plain: RunningMailport;

async function fillMaildir(maildir: string): Promise<void> {
  for (const dir of ['cur', 'new', 'tmp', '.Big/cur', '.Big/new', '.Big/tmp'])
    await mkdir(join(maildir, dir), { recursive: true });
  for (let i = 1; i <= MESSAGES; i++) {
    const body = `From: a@example.com\r\nSubject: message ${i}\r\n\r\nbody ${i}\r\n`;
    await writeFile(join(maildir, 'cur', `${1_700_000_000 + i}.M${i}P1.test:2,S`), body);
  }
  const line = `${'x'.repeat(76)}\r\n`;
  const big = `Subject: big\r\n\r\n${line.repeat(Math.ceil(BIG_MESSAGE_BYTES / line.length))}`;
  await writeFile(join(maildir, '.Big', 'cur', '1700000000.M1P1.test:2,S'), big);
}

async function serve(protocolLog: boolean): Promise<RunningMailport> {
  const maildir = join(work, `Maildir-${protocolLog ? 'logged' : 'plain'}`);
  await fillMaildir(maildir);
  const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD }, (s) => {
    s.listeners.imap.protocolLog = protocolLog;
    // 20 clients at once below, while the last test's sessions may still be closing.
    s.limits.maxConnectionsPerAddress = 100;
    s.listeners.pop3.protocolLog = protocolLog;
  });
  return runMailport(setup);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-limits-'));
  [logged, plain] = [await serve(true), await serve(false)];
}, 120_000);

afterAll(async () => {
  await logged?.stop();
  await plain?.stop();
  await rm(work, { recursive: true, force: true });
});

async function rssKb(server: RunningMailport): Promise<number> {
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
}

async function connectImap(server: RunningMailport): Promise<LineClient> {
  const c = await LineClient.connect(server.ports.imap);
  expect(await c.line()).toMatch(/^\* OK /);
  return c;
}

async function login(server: RunningMailport, mailbox?: string): Promise<LineClient> {
  const c = await connectImap(server);
  expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK/);
  if (mailbox) expect((await c.imap('s', `SELECT ${mailbox}`, 60_000)).tagged).toMatch(/^s OK/);
  return c;
}

/** The process still answers a new client. */
async function stillServes(server: RunningMailport): Promise<void> {
  const c = await connectImap(server);
  expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
  c.close();
}

/**
 * Sends `count` pieces, waiting while the server does not read, and stops as soon as the
 * server has answered with `stopAt` or closed. Returns the octets sent.
 */
async function sendUntilAnswered(
  c: LineClient,
  piece: Buffer,
  count: number,
  stopAt: RegExp,
): Promise<number> {
  let sent = 0;
  for (let i = 0; i < count; i++) {
    if (c.closed || c.socket.destroyed || stopAt.test(c.pending)) break;
    const flushed = c.socket.write(piece);
    sent += piece.length;
    if (!flushed) await waitForDrainOrClose(c);
  }
  return sent;
}

function waitForDrainOrClose(c: LineClient): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      c.socket.off('drain', done);
      c.socket.off('close', done);
      clearInterval(poll);
      resolve();
    };
    // The server's answer arrives while we wait: look at it now and then.
    const poll = setInterval(() => {
      if (c.closed || /\* BYE|^\S+ (BAD|NO)/m.test(c.pending)) done();
    }, 20);
    c.socket.on('drain', done);
    c.socket.on('close', done);
  });
}

/** `{1 MiB+}` literals, each followed by the next announcement. */
function literalPiece(): Buffer {
  return Buffer.concat([Buffer.alloc(MIB, 'A'), Buffer.from(` {${MIB}+}\r\n`)]);
}

describe.each([
  ['off', () => plain],
  ['on', () => logged],
])('IMAP input before login (protocol log %s)', (_log, server) => {
  it('survives 600 x 1 MiB non-synchronising literals in an AUTHENTICATE response', async () => {
    const c = await connectImap(server());
    c.send('a AUTHENTICATE PLAIN\r\n');
    expect(await c.line()).toBe('+ ');
    c.send(`AGFiYwBwYXNz {${MIB}+}\r\n`);
    const total = 600 * literalPiece().length;
    const sent = await sendUntilAnswered(c, literalPiece(), 600, /\* BYE/);
    expect(sent).toBeLessThan(total);
    const lines = await c.until(/^\* BYE/, 30_000);
    expect(lines.join('\n')).toMatch(/^a BAD /m);
    c.close();
    await stillServes(server());
  }, 120_000);

  it('refuses one command of 1,024 x 1 MiB literals early, without the memory', async () => {
    const before = await rssKb(server());
    const c = await connectImap(server());
    c.send(`b LOGIN {${MIB}+}\r\n`);
    const total = 1024 * literalPiece().length;
    const sent = await sendUntilAnswered(c, literalPiece(), 1024, /\* BYE/);
    expect(sent).toBeLessThan(total);
    expect((await c.until(/^\* BYE/, 30_000))[0]).toMatch(/^b BAD /);
    c.close();
    expect(await rssKb(server())).toBeLessThan(before + RSS_GROWTH_BOUND_KB);
    await stillServes(server());
  }, 120_000);
});

describe('IMAP APPEND before login', () => {
  it('refuses APPEND with a tagged reply instead of "+"', async () => {
    const c = await connectImap(logged);
    c.send('a APPEND INBOX {100}\r\n');
    expect(await c.line()).toMatch(/^a (BAD|NO) /);
    expect((await c.imap('b', 'NOOP')).tagged).toMatch(/^b OK/);
    c.close();
  });

  it('does not grow for 20 connections announcing 64 MiB each', async () => {
    const before = await rssKb(logged);
    const clients = await Promise.all(Array.from({ length: 20 }, () => connectImap(logged)));
    const answers: string[] = [];
    for (const c of clients) {
      c.send(`a APPEND INBOX {${64 * MIB}}\r\n`);
      const answer = await c.line();
      answers.push(answer);
      // A server that asked for the literal gets it, as the client would send it.
      if (answer.startsWith('+')) await sendUntilAnswered(c, Buffer.alloc(MIB, 'x'), 64, /^a /m);
    }
    expect(answers.filter((a) => a.startsWith('+'))).toEqual([]);
    expect(await rssKb(logged)).toBeLessThan(before + RSS_GROWTH_BOUND_KB);
    for (const c of clients) c.close();
    await stillServes(logged);
  }, 120_000);

  it('closes on a 64 MiB non-synchronising APPEND literal without reading it', async () => {
    const c = await connectImap(logged);
    c.send(`a APPEND INBOX {${64 * MIB}+}\r\n`);
    const sent = await sendUntilAnswered(c, Buffer.alloc(MIB, 'x'), 64, /\* BYE/);
    expect(sent).toBeLessThan(64 * MIB);
    expect(await c.until(/^\* BYE/)).toEqual([
      expect.stringMatching(/^a BAD /),
      expect.any(String),
    ]);
    c.close();
  }, 60_000);
});

describe('IMAP replies that quote the client', () => {
  it('CREATE with CR LF in a literal name forges no line', async () => {
    const c = await login(logged);
    const name = 'x\r\n* 999 EXISTS\r\n* BYE forged\r\nz\0\xff';
    c.send(`a CREATE {${Buffer.byteLength(name, 'latin1')}}\r\n`);
    expect(await c.line()).toMatch(/^\+ /);
    c.send(Buffer.concat([Buffer.from(name, 'latin1'), Buffer.from('\r\n')]));
    const { untagged, tagged } = await c.imapUntil('a');
    expect(untagged).toEqual([]);
    expect(tagged).toMatch(/^a (NO|BAD) [\x20-\x7e]*$/);
    const after = await c.imap('b', 'NOOP');
    expect(after.untagged.every((l) => l.startsWith('* ') && !/999|forged/.test(l))).toBe(true);
    expect(after.tagged).toMatch(/^b OK/);
    c.close();
  });

  it('keeps a BAD for a long 8-bit flag printable and short', async () => {
    const c = await login(logged, 'INBOX');
    const { tagged } = await c.imap('a', `STORE 1 +FLAGS (\\${'\xe9'.repeat(3000)})`);
    expect(tagged).toMatch(/^a BAD [\x20-\x7e]{1,200}$/);
    c.close();
  });
});

describe('POP3 replies that quote the client', () => {
  it('answers a 4,000-octet command with NUL and 8-bit in one printable line of 512 octets', async () => {
    const c = await LineClient.connect(logged.ports.pop3);
    expect(await c.line()).toMatch(/^\+OK/);
    const junk = 'A\0\xe9'.repeat(1330);
    for (const command of [`AUTH ${junk}`, `${junk}`, `USER ${junk}`]) {
      c.send(Buffer.from(`${command}\r\n`, 'latin1'));
      const reply = await c.line();
      expect(reply).toMatch(/^[+-][\x20-\x7e]*$/);
      expect(reply.length + 2).toBeLessThanOrEqual(512);
    }
    c.close();
  });
});

describe('IMAP SEARCH nesting', () => {
  it('answers 5,000 nested NOT with BAD and goes on', async () => {
    const c = await login(logged, 'INBOX');
    expect((await c.imap('a', `SEARCH ${'NOT '.repeat(5_000)}ALL`)).tagged).toMatch(/^a BAD /);
    expect(
      (await c.imap('b', `SEARCH ${'('.repeat(5_000)}ALL${')'.repeat(5_000)}`)).tagged,
    ).toMatch(/^b BAD /);
    expect((await c.imap('c', `SEARCH ${'OR ALL '.repeat(5_000)}ALL`)).tagged).toMatch(/^c BAD /);
    expect((await c.imap('d', `SEARCH ${'NOT '.repeat(100_000)}ALL`)).tagged).toMatch(/^d BAD /);
    expect((await c.imap('e', 'SEARCH NOT NOT 1')).untagged).toEqual(['* SEARCH 1']);
    c.close();
  });

  it('counts nested searches against the bad-command budget', async () => {
    const c = await login(logged, 'INBOX');
    const replies: string[] = [];
    for (let i = 0; i < 20; i++) {
      c.send(`n${i} SEARCH ${'NOT '.repeat(5_000)}ALL\r\n`);
      replies.push(...(await c.until(/^(n\d+ |\* BYE)/)));
    }
    expect(replies.filter((l) => /^n\d+ BAD /.test(l))).toHaveLength(20);
    expect(await c.line()).toMatch(/^\* BYE/);
    await c.closedByServer();
    c.close();
    // A client's mistake is no server error: nothing at error level in the app log.
    const appLog = await readFile(join(logged.dataDir, 'mailport.log'), 'utf8').catch(() => '');
    expect(appLog).toContain('"level":30');
    expect(appLog.split('\n').filter((l) => l.includes('"level":50'))).toEqual([]);
  });
});

describe('IMAP sequence sets', () => {
  /** 12,000 ranges, in no order, overlapping, some reversed and some with "*". */
  function bigSet(): { text: string; expected: number[] } {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return 1 + (seed % n);
    };
    const ranges: string[] = [];
    const member = new Set<number>();
    const add = (a: number, b: number): void => {
      for (let n = Math.min(a, b); n <= Math.max(a, b) && n <= MESSAGES; n++) member.add(n);
    };
    for (let i = 0; i < 8_000; i++) {
      const n = random(99);
      ranges.push(String(n));
      add(n, n);
    }
    for (let i = 0; i < 4_000; i++) {
      const a = random(999);
      const b = a + random(4) - 1;
      ranges.push(i % 2 ? `${b}:${a}` : `${a}:${b}`);
      add(a, b);
    }
    for (const [a, b] of [
      [5000, 5003],
      [9999, MESSAGES],
      [7001, 7000],
      [12_000, 11_000],
    ] as const) {
      ranges.push(`${a}:${b}`);
      add(a, b);
    }
    ranges.push('*', '9990:*', '*:9000', '20000');
    add(MESSAGES, MESSAGES);
    add(9990, MESSAGES);
    add(9000, MESSAGES);
    return { text: ranges.join(','), expected: [...member].sort((x, y) => x - y) };
  }

  it('answers a 12,000-range set on 10,000 messages correctly', async () => {
    const c = await login(logged, 'INBOX');
    const { text, expected } = bigSet();
    expect(text.split(',')).toHaveLength(12_008);
    const search = await c.imap('a', `SEARCH ${text}`, 60_000);
    expect(search.tagged).toMatch(/^a OK/);
    expect(search.untagged[0]!.split(' ').slice(2).map(Number)).toEqual(expected);

    const uids = (await c.imap('u', 'UID SEARCH ALL')).untagged[0]!.split(' ').slice(2);
    const fetched = await c.imap('b', `FETCH ${text} (UID)`, 60_000);
    expect(fetched.tagged).toMatch(/^b OK/);
    expect(fetched.untagged).toEqual(expected.map((n) => `* ${n} FETCH (UID ${uids[n - 1]})`));
    c.close();
  }, 120_000);
});

describe('IMAP output to a slow reader', () => {
  it('FETCHes big messages with back-pressure and no listener leak', async () => {
    const c = await login(logged, 'Big');
    c.close();
    const socket = connect({ port: logged.ports.imap, host: '127.0.0.1' });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received = (received + chunk).slice(-200)));
    const fetches = Array.from({ length: 30 }, (_, i) => `f${i} FETCH 1 BODY.PEEK[]\r\n`);
    socket.write(`l LOGIN ${USER} "${PASSWORD}"\r\ns SELECT Big\r\n${fetches.join('')}z NOOP\r\n`);
    // Read in short bursts with long pauses, so the server waits for "drain" again and again.
    for (let i = 0; i < 400 && !/\r\nz OK/.test(received); i++) {
      socket.pause();
      await new Promise((r) => setTimeout(r, 40));
      socket.resume();
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(received).toMatch(/\r\nz OK/);
    socket.destroy();
    expect(logged.output()).not.toMatch(/MaxListenersExceeded/);
  }, 120_000);
});

describe('IMAP protocol log', () => {
  it('logs a command with a 1 MiB literal as one bounded line with a marker', async () => {
    const c = await login(logged, 'Big');
    c.send(`a SEARCH TEXT {${MIB}}\r\n`);
    expect(await c.line()).toMatch(/^\+ /);
    c.send(Buffer.concat([Buffer.alloc(MIB, 'q'), Buffer.from('\r\n')]));
    expect((await c.imapUntil('a', 60_000)).tagged).toMatch(/^a OK/);
    c.close();
    const file = join(logged.dataDir, 'logs', 'imap.log');
    let log = '';
    // The log is written asynchronously: look for the line for up to five seconds.
    for (let i = 0; i < 100 && !log.includes('SEARCH TEXT'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      log = await readFile(file, 'utf8').catch(() => '');
    }
    const line = log.split('\n').find((l) => l.includes('SEARCH TEXT'));
    expect(line).toMatch(/more octets/);
    expect(line!.length).toBeLessThan(4_000);
  }, 60_000);
});
