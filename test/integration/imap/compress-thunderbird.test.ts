/**
 * COMPRESS=DEFLATE (RFC 4978) inside implicit TLS, driven by Python's imaplib with zlib's raw
 * DEFLATE (wbits -15) through the sequence Thunderbird sends when it opens an account:
 * CAPABILITY, LOGIN, COMPRESS DEFLATE, ID, LIST, SELECT, UID FETCH 1:* (FLAGS), IDLE (with a
 * delivery arriving meanwhile), DONE, the UID FETCH of a 5 MB message, LOGOUT. The TLS
 * certificate is verified against the local CA; the message must arrive byte for byte as the
 * file holds it, in fewer bytes on the wire than it has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dataPaths } from '../../../src-main/core/config/paths.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
const BIG_MESSAGE_BYTES = 5 * 1024 * 1024;
const SMALL_MESSAGES = 3;
const PYTHON_TIMEOUT_MS = 60_000;

let work: string;
let maildir: string;
let bigFile: string;
let server: RunningMailport;

function message(i: number, body = `body ${i}\r\n`): string {
  return `From: a@example.com\r\nSubject: message ${i}\r\n\r\n${body}`;
}

/** Text that varies from line to line, so it compresses but not to nothing. */
function bigBody(): string {
  const lines: string[] = [];
  for (let n = 0; lines.length * 78 < BIG_MESSAGE_BYTES; n++)
    lines.push(`${n.toString(36).padStart(8, '0')} ${'the quick brown fox '.repeat(3)}${n * 7919}`);
  return `${lines.map((l) => l.slice(0, 76)).join('\r\n')}\r\n`;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-compress-tb-'));
  maildir = join(work, 'Maildir');
  for (const dir of ['cur', 'new', 'tmp']) await mkdir(join(maildir, dir), { recursive: true });
  for (let i = 1; i <= SMALL_MESSAGES; i++)
    await writeFile(join(maildir, 'cur', `${1_700_000_000 + i}.M${i}P1.test:2,S`), message(i));
  // The newest file: the highest UID, the last one UID FETCH 1:* lists.
  bigFile = join(maildir, 'cur', '1700000009.M9P1.test:2,S');
  await writeFile(bigFile, message(9, bigBody()));
  const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD }, (s) => {
    s.listeners.imaps.protocolLog = true;
  });
  server = await runMailport(setup);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

const SCRIPT = String.raw`
import imaplib, re, ssl, sys, zlib
port, user, password, cafile, bigfile = sys.argv[1:6]
imaplib.Commands['COMPRESS'] = ('AUTH', 'SELECTED')
imaplib.Commands['ID'] = ('NONAUTH', 'AUTH', 'SELECTED')
def out(*words): print(*words, flush=True)

M = imaplib.IMAP4_SSL('127.0.0.1', int(port), ssl_context=ssl.create_default_context(cafile=cafile))
M.sock.settimeout(30)
out('CAPABILITY before login', 'COMPRESS=DEFLATE' in M.capability()[1][0].decode())
M.login(user, password)
out('CAPABILITY after login', 'COMPRESS=DEFLATE' in M.capability()[1][0].decode())
typ, data = M._simple_command('COMPRESS', 'DEFLATE')
out('COMPRESS', typ, data[0].decode())

# From the byte after the tagged OK both directions are raw DEFLATE. The server sends nothing
# more until asked, so imaplib's reader holds no byte past the OK.
comp = zlib.compressobj(6, zlib.DEFLATED, -15)
decomp = zlib.decompressobj(-15)
buf = bytearray()
wire = {'in': 0, 'inflated': 0}
def fill():
    chunk = M.sock.recv(65536)
    if not chunk: raise EOFError('closed')
    wire['in'] += len(chunk)
    data = decomp.decompress(chunk)
    wire['inflated'] += len(data)
    buf.extend(data)
def readline():
    while b'\n' not in buf: fill()
    i = buf.index(b'\n') + 1
    line = bytes(buf[:i]); del buf[:i]; return line
def read(n):
    while len(buf) < n: fill()
    data = bytes(buf[:n]); del buf[:n]; return data
def send(data):
    M.sock.sendall(comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH))
M.readline = readline; M.read = read; M.send = send

typ, data = M._simple_command('ID', '("name" "Thunderbird" "version" "128.5.0")')
typ, data = M._untagged_response(typ, data, 'ID')
out('ID', typ, data[0] is not None and data[0].startswith(b'('))
typ, data = M.list()
out('LIST', typ, any(b'"INBOX"' in l or l.endswith(b' INBOX') for l in data))
typ, data = M.select('INBOX')
exists = int(data[0])
out('SELECT', typ, exists)
typ, data = M.uid('FETCH', '1:*', '(FLAGS)')
uids = [int(re.search(rb'UID (\d+)', l).group(1)) for l in data if l]
out('UID FETCH FLAGS', typ, len(uids))

M.send(b'tb1 IDLE\r\n')
line = readline()
out('IDLING', line.startswith(b'+ '))
while True:
    line = readline()
    m = re.match(rb'\* (\d+) EXISTS', line)
    if m: break
M.send(b'DONE\r\n')
while not line.startswith(b'tb1 '): line = readline()
out('IDLE', int(m.group(1)) - exists, line.split()[1].decode())

before = wire['in'], wire['inflated']
typ, data = M.uid('FETCH', str(max(uids)), '(BODY.PEEK[])')
body = data[0][1]
with open(bigfile, 'rb') as f: expected = f.read()
out('UID FETCH BODY', typ, len(body) == len(expected), body == expected)
out('WIRE', wire['in'] - before[0] < (wire['inflated'] - before[1]) // 2)
out('LOGOUT', M.logout()[0])
`;

/** Runs the script, delivering a message when it says it is idling; its output lines. */
async function runThunderbirdSequence(): Promise<string[]> {
  const ca = join(dataPaths(server.dataDir).certsDir, 'ca.pem');
  const child = spawn(
    'python3',
    ['-c', SCRIPT, String(server.ports.imaps), USER, PASSWORD, ca, bigFile],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: PYTHON_TIMEOUT_MS },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    lines.push(line);
    if (line.startsWith('IDLING'))
      await writeFile(join(maildir, 'new', '1800000000.M10P1.test'), message(10));
  }
  const code = await exited;
  if (code !== 0) throw new Error(`python3 exited with ${code}:\n${lines.join('\n')}\n${stderr}`);
  return lines;
}

describe('COMPRESS=DEFLATE in TLS, in the sequence Thunderbird sends', () => {
  it("serves Python's imaplib over zlib through IDLE and a 5 MB message", async () => {
    expect(await runThunderbirdSequence()).toEqual([
      'CAPABILITY before login False',
      'CAPABILITY after login True',
      'COMPRESS OK Begin compression.',
      'ID OK True',
      'LIST OK True',
      `SELECT OK ${SMALL_MESSAGES + 1}`,
      `UID FETCH FLAGS OK ${SMALL_MESSAGES + 1}`,
      'IDLING True',
      'IDLE 1 OK',
      'UID FETCH BODY OK True True',
      'WIRE True',
      'LOGOUT BYE',
    ]);
    const log = await readFile(join(server.dataDir, 'logs', 'imaps.log'), 'utf8');
    expect(log).toMatch(/C: \S+ COMPRESS DEFLATE/);
    expect(log).toMatch(/C: \S+ ID \(.*Thunderbird/);
    expect(log).toMatch(/C: tb1 IDLE/);
  }, 90_000);
});
