/**
 * COMPRESS=DEFLATE (RFC 4978) against the real `mailport serve` process, with real clients
 * that use it: a raw DEFLATE transcript client, imapflow (which turns it on by itself when
 * offered) and Python's imaplib over zlib. Every reply must reach a client that waits for it
 * (a sync flush per response: IDLE pushes, continuation requests, long literals), and a
 * small compressed command must not inflate into the server's memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { DeflateClient } from '../../helpers/deflate-client.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
const MIB = 1024 * 1024;
const BIG_MESSAGE_BYTES = 6 * MIB;
const BUSY_MESSAGE_BYTES = 24 * MIB;
/** Lines of 31 octets: about 4 MiB. */
const REPEAT_LINES = 128 * 1024;
/** What a decompression bomb inflates to, and what the server may grow by meanwhile. */
const BOMB_INFLATED_BYTES = 1024 * MIB;
const RSS_GROWTH_BOUND_KB = 200 * 1024;

let work: string;
let maildir: string;
let server: RunningMailport;
let bigMessage: string;
let repeatMessage: string;

function message(i: number, body = `body ${i}\r\n`): string {
  return `From: a@example.com\r\nSubject: message ${i}\r\n\r\n${body}`;
}

async function serve(dir: string, compress: boolean): Promise<RunningMailport> {
  const setup = await setUpMailport(dir, { user: USER, password: PASSWORD }, (s) => {
    s.imap.compress = compress;
    s.listeners.imap.protocolLog = true;
    s.listeners.imaps.protocolLog = true;
  });
  return runMailport(setup);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-compress-'));
  maildir = join(work, 'Maildir');
  for (const dir of ['cur', 'new', 'tmp']) await mkdir(join(maildir, dir), { recursive: true });
  for (let i = 1; i <= 5; i++)
    await writeFile(join(maildir, 'cur', `${1_700_000_000 + i}.M${i}P1.test:2,S`), message(i));
  // Varied text, so it does not compress to nothing: the literal spans many socket writes.
  const lines: string[] = [];
  for (let n = 0; lines.length * 80 < BIG_MESSAGE_BYTES; n++)
    lines.push(
      `${n.toString(36).padStart(8, '0')} ${'lorem ipsum dolor sit amet '.repeat(2)}${(n * 7919).toString(16)}`.slice(
        0,
        78,
      ),
    );
  bigMessage = message(6, `${lines.join('\r\n')}\r\n`);
  await writeFile(join(maildir, 'cur', '1700000006.M6P1.test:2,S'), bigMessage);
  // Random text hardly compresses: fetching it fills every buffer on the way to a client
  // that does not read, so the session stays busy sending it.
  const busy = join(maildir, '.Busy');
  for (const dir of ['cur', 'new', 'tmp']) await mkdir(join(busy, dir), { recursive: true });
  const random = randomBytes(BUSY_MESSAGE_BYTES).toString('base64').replace(/.{76}/g, '$&\r\n');
  await writeFile(join(busy, 'cur', '1700000001.M1P1.test:2,S'), message(1, `${random}\r\n`));
  // One line over and over: MiBs that compress to a few KiB.
  repeatMessage = message(1, 'the same line again and again\r\n'.repeat(REPEAT_LINES));
  const repeat = join(maildir, '.Repeat');
  for (const dir of ['cur', 'new', 'tmp']) await mkdir(join(repeat, dir), { recursive: true });
  await writeFile(join(repeat, 'cur', '1700000001.M1P1.test:2,S'), repeatMessage);
  server = await serve(maildir, true);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
}

/** Logged in, compression on, INBOX selected. */
async function compressedSession(port = server.ports.imap): Promise<DeflateClient> {
  const c = await DeflateClient.connect(port);
  expect(await c.line()).toMatch(/^\* OK /);
  expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK/);
  expect(await c.compress('z')).toBe('z OK Begin compression.');
  expect((await c.imap('s', 'SELECT INBOX')).tagged).toMatch(/^s OK/);
  return c;
}

describe('COMPRESS=DEFLATE', () => {
  it('is offered after login only, and refused before it', async () => {
    const c = await DeflateClient.connect(server.ports.imap);
    try {
      expect(await c.line()).not.toMatch(/COMPRESS/);
      expect((await c.imap('a', 'COMPRESS DEFLATE')).tagged).toMatch(/^a BAD /);
      const after = await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`);
      expect(after.tagged).toMatch(/^l OK \[CAPABILITY [^\]]* COMPRESS=DEFLATE[ \]]/);
      expect((await c.imap('b', 'COMPRESS GZIP')).tagged).toMatch(/^b NO /);
      expect((await c.imap('c', 'COMPRESS')).tagged).toMatch(/^c BAD /);
    } finally {
      c.close();
    }
  });

  it('answers every command of a compressed session, each reply flushed as it is sent', async () => {
    const c = await compressedSession();
    try {
      expect((await c.imap('d', 'COMPRESS DEFLATE')).tagged).toMatch(/^d NO \[COMPRESSIONACTIVE\]/);
      const caps = (await c.imap('e', 'CAPABILITY')).untagged.join('\n');
      expect(caps).toMatch(/IMAP4rev1/);
      // A synchronising literal: the client waits for "+" before it sends the message.
      const appended = message(7);
      c.send(`f APPEND INBOX {${appended.length}}\r\n`);
      expect(await c.line()).toMatch(/^\+ /);
      c.send(`${appended}\r\n`);
      let line;
      do line = await c.line();
      while (!line.startsWith('f '));
      expect(line).toMatch(/^f OK /);
      // IDLE: the continuation and a push for mail that arrives meanwhile.
      c.send('g IDLE\r\n');
      let pushed = await c.line();
      while (!pushed.startsWith('+')) pushed = await c.line(); // the APPEND's EXISTS first
      await writeFile(join(maildir, 'new', '1800000000.M8P1.test'), message(8));
      do pushed = await c.line(15_000);
      while (!/^\* \d+ EXISTS$/.test(pushed) || pushed === '* 7 EXISTS');
      expect(pushed).toBe('* 8 EXISTS');
      c.send('DONE\r\n');
      do line = await c.line();
      while (!line.startsWith('g '));
      expect(line).toBe('g OK Idle completed.');
      // A literal of several MiB, streamed from disk through the compressor.
      const big = await c.imap('h', 'FETCH 6 BODY.PEEK[]', 60_000);
      expect(big.tagged).toMatch(/^h OK /);
      expect(big.untagged[0]).toBe(`* 6 FETCH (BODY[] {${bigMessage.length}}\r\n${bigMessage})`);
      expect((await c.imap('i', 'LOGOUT')).untagged[0]).toMatch(/^\* BYE /);
    } finally {
      c.close();
    }
  });

  // The cause of the early closes seen under load: a reply that arrives with the server's
  // FIN was lost when the socket's close came before the (asynchronous) inflater's output.
  // A literal that inflates to MiBs from a few KiB takes the inflater many turns of the event
  // loop, so the close always comes first here.
  it('hands the client everything that arrives together with the close (LOGOUT)', async () => {
    const c = await compressedSession();
    try {
      expect((await c.imap('r', 'EXAMINE Repeat')).tagged).toMatch(/^r OK/);
      c.send('h FETCH 1 BODY.PEEK[]\r\ni LOGOUT\r\n');
      await c.heldUntil(() => c.peerClosed());
      const fetched = await c.reply('h');
      expect(fetched.untagged).toEqual([
        `* 1 FETCH (BODY[] {${repeatMessage.length}}\r\n${repeatMessage})`,
      ]);
      expect(fetched.tagged).toBe('h OK Fetch completed.');
      const reply = await c.reply('i');
      expect(reply.untagged).toEqual(['* BYE Logging out']);
      expect(reply.tagged).toBe('i OK Logout completed.');
    } finally {
      c.close();
    }
  });

  // RFC 4978 §3: the server compresses from the byte after its tagged OK's CRLF and inflates
  // whatever the client sent after its COMPRESS; here both sides cross in one read.
  it('switches at the byte after the tagged OK, with the next command sent in the same write', async () => {
    const c = await DeflateClient.connect(server.ports.imap);
    try {
      await c.line();
      expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK/);
      const ok = 'z OK Begin compression.';
      const answer = c.compress('z', 'p SELECT INBOX\r\n');
      // The OK and the first compressed bytes of the SELECT's answer reach the client together.
      await c.heldUntil(() => c.heldBytes > ok.length + 2);
      expect(await answer).toBe(ok);
      const select = await c.reply('p');
      expect(select.untagged).toContain('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)');
      expect(select.tagged).toMatch(/^p OK \[READ-WRITE\] /);
      expect((await c.imap('n', 'NOOP')).tagged).toBe('n OK NOOP completed.');
    } finally {
      c.close();
    }
  });

  it('is used by imapflow, through IDLE and a large FETCH', async () => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: server.ports.imap,
      secure: false,
      doSTARTTLS: false,
      auth: { user: USER, pass: PASSWORD },
      logger: false,
    });
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const download = await client.download('6', undefined, { uid: false });
        const chunks: Buffer[] = [];
        for await (const chunk of download.content!) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).toString('latin1')).toBe(bigMessage);
        const exists = new Promise<number>((resolve) =>
          client.on('exists', (e: { count: number }) => resolve(e.count)),
        );
        const before = (client.mailbox as { exists: number }).exists;
        const idling = client.idle();
        await new Promise((r) => setTimeout(r, 200)); // let IDLE start before the delivery
        await writeFile(join(maildir, 'new', `1800000100.M${before}P2.test`), message(100));
        expect(await exists).toBe(before + 1);
        // The next command breaks IDLE (imapflow sends DONE first): it must get its answer.
        const status = await client.status('INBOX', { messages: true });
        expect(status && status.messages).toBe(before + 1);
        await idling;
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    const log = await readFile(join(server.dataDir, 'logs', 'imap.log'), 'utf8');
    expect(log).toMatch(/C: \S+ COMPRESS DEFLATE/);
    expect(log).toMatch(/S: \S+ OK Begin compression\./);
  });

  it.each([
    ['implicit TLS', 'imaps', true],
    ['STARTTLS', 'imap', false],
  ] as const)('runs inside TLS too (%s)', async (_name, listener, secure) => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: server.ports[listener],
      secure,
      doSTARTTLS: !secure,
      tls: { rejectUnauthorized: false }, // the server's own local CA; this test is about framing
      auth: { user: USER, pass: PASSWORD },
      logger: false,
    });
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const download = await client.download('6', undefined, { uid: false });
        const chunks: Buffer[] = [];
        for await (const chunk of download.content!) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).toString('latin1')).toBe(bigMessage);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    const log = await readFile(join(server.dataDir, 'logs', `${listener}.log`), 'utf8');
    if (!secure) expect(log).toMatch(/C: \S+ STARTTLS/);
    expect(log).toMatch(/S: \S+ OK Begin compression\./);
  });

  it("is used by Python's imaplib over zlib (raw deflate, wbits -15)", async () => {
    const script = `
import imaplib, sys, zlib
imaplib.Commands['COMPRESS'] = ('AUTH', 'SELECTED')
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
M.sock.settimeout(20)
M.login(sys.argv[2], sys.argv[3])
typ, _ = M._simple_command('COMPRESS', 'DEFLATE')
assert typ == 'OK', typ
comp = zlib.compressobj(6, zlib.DEFLATED, -15)
decomp = zlib.decompressobj(-15)
buf = bytearray()
def fill():
    chunk = M.sock.recv(65536)
    if not chunk: raise EOFError('closed')
    buf.extend(decomp.decompress(chunk))
def readline():
    while b'\\n' not in buf: fill()
    i = buf.index(b'\\n') + 1
    line = bytes(buf[:i]); del buf[:i]; return line
def read(n):
    while len(buf) < n: fill()
    out = bytes(buf[:n]); del buf[:n]; return out
def send(data):
    M.sock.sendall(comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH))
M.readline = readline; M.read = read; M.send = send
typ, data = M.select('INBOX')
print('SELECT', typ.lower(), int(data[0]) >= 6)
typ, data = M.fetch('6', '(BODY.PEEK[])')
body = data[0][1].decode('latin1')
print('FETCH', typ.lower(), body == open(sys.argv[4], encoding='latin1', newline='').read())
typ, data = M.uid('SEARCH', 'SUBJECT', '"message 3"')
print('SEARCH', typ.lower(), len(data[0].split()))
typ, data = M._simple_command('COMPRESS', 'DEFLATE')
print('AGAIN', typ.lower(), data[0].startswith(b'[COMPRESSIONACTIVE]'))
print('LOGOUT', M.logout()[0].lower())
`;
    const expected = join(work, 'big.eml');
    await writeFile(expected, bigMessage, 'latin1');
    const { stdout } = await promisify(execFile)(
      'python3',
      ['-c', script, String(server.ports.imap), USER, PASSWORD, expected],
      { timeout: 60_000 },
    );
    expect(stdout.trim().split('\n')).toEqual([
      'SELECT ok True',
      'FETCH ok True',
      'SEARCH ok 1',
      'AGAIN no True',
      'LOGOUT bye',
    ]);
  });

  it('keeps a decompression bomb out of memory, and the server serves on', async () => {
    const c = await compressedSession();
    try {
      const before = await rssKb(server.pid);
      // The session is busy streaming a literal to a client that does not read it…
      expect((await c.imap('s', 'SELECT Busy')).tagged).toMatch(/^s OK/);
      c.socket.pause();
      c.send('f FETCH 1 BODY.PEEK[]\r\n');
      // …while the client sends one endless line: ~1 MiB compressed, 1 GiB inflated.
      const block = Buffer.alloc(16 * MIB, 'a');
      for (let sent = 0; sent < BOMB_INFLATED_BYTES; sent += block.length) await c.stream(block);
      c.send('\r\n');
      let peak = before;
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 100));
        peak = Math.max(peak, await rssKb(server.pid));
      }
      expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND_KB);
      c.socket.resume();
      // The literal arrives whole; then the line is refused, and the session goes on.
      const literal = /^\* 1 FETCH \(BODY\[\] \{(\d+)\}$/.exec(await c.line(30_000));
      expect(Number(literal?.[1])).toBeGreaterThan(BUSY_MESSAGE_BYTES);
      await c.bytes(Number(literal![1]), 30_000);
      expect(await c.line(30_000)).toBe(')');
      expect(await c.line(30_000)).toMatch(/^f OK /);
      expect(await c.line(60_000)).toMatch(/ BAD Line too long/);
      expect((await c.imap('n', 'NOOP', 60_000)).tagged).toMatch(/^n OK/);
      peak = Math.max(peak, await rssKb(server.pid));
      expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND_KB);
    } finally {
      c.close();
    }
    const next = await compressedSession();
    expect((await next.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    next.close();
  }, 120_000);

  it('closes a session whose compressed input is corrupt, and serves on', async () => {
    const c = await compressedSession();
    try {
      // A stored block whose length check fails (RFC 1951 §3.2.4): not a DEFLATE stream.
      c.socket.write(Buffer.from([0x00, 0x05, 0x00, 0x05, 0x00, 0x41, 0x42]));
      await expect(c.line(10_000)).rejects.toThrow(/closed/);
    } finally {
      c.close();
    }
    const next = await compressedSession();
    expect((await next.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    next.close();
  });

  it('is neither offered nor started when imap.compress is false', async () => {
    const dir = join(work, 'Maildir-off');
    for (const d of ['cur', 'new', 'tmp']) await mkdir(join(dir, d), { recursive: true });
    const off = await serve(dir, false);
    try {
      const c = await DeflateClient.connect(off.ports.imap);
      await c.line();
      const login = await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`);
      expect(login.tagged).toMatch(/^l OK \[CAPABILITY /);
      expect(login.tagged).not.toMatch(/COMPRESS/);
      expect((await c.imap('z', 'COMPRESS DEFLATE')).tagged).toMatch(/^z BAD /);
      expect((await c.imap('n', 'NOOP')).tagged).toBe('n OK NOOP completed.');
      c.close();
    } finally {
      await off.stop();
    }
  });
});
