/**
 * Issue 16: an idle server gives back what its last clients made it hold. Once no session
 * has a folder open, the folder drops its cached facts and listing records and the process
 * drops the LF → CRLF converter (a WebAssembly memory, which cannot shrink while it lives:
 * its address-space reservation is what shows in /proc/<pid>/maps) and its wire slabs. A
 * client that comes back must be answered exactly as before the release: the same FETCH
 * (flags, MODSEQ, sizes, ENVELOPE, BODYSTRUCTURE, whole bodies), SEARCH and SELECT.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateMessages, wireBytes, writeCorpus } from '../../helpers/corpus.js';
import { LineClient } from '../../helpers/line-client.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
/**
 * V8 surrounds a WebAssembly memory's pages with about 10 GiB of inaccessible address space
 * (guard regions that replace bounds checks); the part after the pages alone is over 4 GiB,
 * and nothing else in the process reserves that much.
 */
const WASM_RESERVATION_BYTES = 4 * 2 ** 30;
/** Release (2 s after the last session), then two collections 1 s and 6.5 s after that. */
const RELEASE_WAIT_MS = 30_000;
const POLL_MS = 250;
const TIMEOUT_MS = 60_000;

let work: string;
let maildir: string;
let server: RunningMailport;
let dataDir: string;
const clients: LineClient[] = [];

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-idle-release-'));
  maildir = join(work, 'Maildir');
  // A few messages over 1 MiB: they stream through the converter in chunks.
  await writeCorpus(maildir, generateMessages({ count: 80, seed: 16, largeShare: 0.05 }));
  const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD });
  dataDir = setup.dataDir;
  server = await runMailport(setup);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.stop();
  await rm(work, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function login(): Promise<LineClient> {
  const c = await LineClient.connect(server.ports.imap);
  clients.push(c);
  await c.line();
  expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK/);
  return c;
}

/** WebAssembly memories the server process holds now (their reservations in its maps). */
function wasmMemories(pid: number): number {
  return readFileSync(`/proc/${pid}/maps`, 'latin1')
    .split('\n')
    .filter((line) => {
      const [range, perms] = line.split(' ');
      const [start, end] = (range ?? '').split('-').map((hex) => parseInt(hex, 16));
      return perms === '---p' && end! - start! >= WASM_RESERVATION_BYTES;
    }).length;
}

async function waitForWasmMemories(pid: number, count: number): Promise<void> {
  for (let waited = 0; waited < RELEASE_WAIT_MS; waited += POLL_MS) {
    if (wasmMemories(pid) === count) return;
    await sleep(POLL_MS);
  }
  expect(wasmMemories(pid)).toBe(count);
}

/** What a returning client sees: SELECT, the header sync, every body, a SEARCH, STATUS. */
async function session(): Promise<string[]> {
  const c = await login();
  const seen: string[] = [];
  for (const command of [
    'SELECT INBOX (CONDSTORE)',
    'UID FETCH 1:* (UID FLAGS MODSEQ INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)',
    'UID FETCH 1:* (BODY.PEEK[])',
    'UID SEARCH TEXT "invoice"',
    'UID SEARCH FROM "alice"',
  ]) {
    const { untagged, tagged } = await c.imap('a', command, TIMEOUT_MS);
    expect(tagged).toMatch(/^a OK/);
    seen.push(command, ...untagged);
  }
  await c.imap('z', 'LOGOUT');
  return seen;
}

/** The bodies in a session's lines, by UID. */
function bodies(lines: readonly string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of lines) {
    const m = /^\* \d+ FETCH \(UID (\d+) BODY\[\] \{(\d+)\}\r\n/.exec(line);
    if (m) out.set(Number(m[1]), line.slice(m[0].length, m[0].length + Number(m[2])));
  }
  return out;
}

describe('a folder released while idle', () => {
  it('gives the converter back and answers a returning client exactly as before', async () => {
    // First contact: \Recent is claimed and a flag changed, so both sessions below start
    // from the same state (and MODSEQ has moved).
    const first = await login();
    expect((await first.imap('s', 'SELECT INBOX')).tagged).toMatch(/^s OK/);
    expect((await first.imap('f', 'UID STORE 3 +FLAGS (\\Flagged)')).tagged).toMatch(/^f OK/);
    await first.imap('z', 'LOGOUT');

    const before = await session();
    expect(wasmMemories(server.pid)).toBe(1);
    await waitForWasmMemories(server.pid, 0); // idle: released and collected

    const after = await session();
    expect(after).toEqual(before);
    expect(wasmMemories(server.pid)).toBe(1); // made again for the bodies

    // And the bodies are the files' bytes, not merely the same twice.
    const onDisk = new Map<number, string>();
    const names = [...(await readdir(join(maildir, 'cur')))].sort();
    for (const [i, name] of names.entries()) {
      const bytes = await readFile(join(maildir, 'cur', name));
      onDisk.set(i + 1, wireBytes(bytes).toString('latin1'));
    }
    expect(bodies(after)).toEqual(onDisk);
  }, 120_000);
});
