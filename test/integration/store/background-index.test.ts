/**
 * Background indexing on a real `mailport serve` (issue 16): the listeners are up before the
 * INBOX is indexed; worker threads write every message's ENVELOPE, BODYSTRUCTURE and BODY
 * into `mailport.cache` without any client asking, so a restart is warm; a client asking
 * while indexing runs, after it, or after the cache was damaged, gets the same bytes as a
 * server that parses each message in wire form on the spot (what FETCH did before).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateMessages, wireBytes, writeCorpus } from '../../helpers/corpus.js';
import { fullTextIndexBuilt } from '../../helpers/fulltext.js';
import { readCacheFile } from '../../helpers/cache-file.js';
import { LineClient } from '../../helpers/line-client.js';
import {
  runMailport,
  setUpMailport,
  type MailportSetup,
  type RunningMailport,
} from '../../helpers/serve.js';
import {
  HEADER_SYNC_KEYS,
  messageFacts,
} from '../../../src-main/core/imap/fetch/header-sync-facts.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
/** More than the indexer's batches (64) by far, and files with LF, CRLF and no final line end. */
const MESSAGES = 1200;
const CACHE = 'mailport.cache';
const HEADER_SYNC = 'UID FETCH 1:* (ENVELOPE BODYSTRUCTURE BODY)';

let work: string | undefined;
let setup: MailportSetup | undefined;
let server: RunningMailport | undefined;
const clients: LineClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  if (setup) await rm(setup.dataDir, { recursive: true, force: true });
  server = setup = work = undefined;
});

/** A Maildir with the corpus; returns it and the answers FETCH must give, by UID. */
async function corpus(): Promise<{ maildir: string; expected: string[] }> {
  work = await mkdtemp(join(tmpdir(), 'mailport-index-'));
  const maildir = join(work, 'Maildir');
  const messages = generateMessages({ count: MESSAGES, seed: 16 });
  await writeCorpus(maildir, messages);
  // UIDs follow arrival (the time in the name), which is the corpus order.
  const expected = messages.map((m, i) => {
    const facts = messageFacts(wireBytes(m.bytes));
    const [envelope, bodystructure, body] = HEADER_SYNC_KEYS.map((k) => facts[k]);
    return `* ${i + 1} FETCH (UID ${i + 1} ENVELOPE ${envelope} BODYSTRUCTURE ${bodystructure} BODY ${body})`;
  });
  setup = await setUpMailport(maildir, { user: USER, password: PASSWORD });
  return { maildir, expected };
}

async function login(): Promise<LineClient> {
  const c = await LineClient.connect(server!.ports.imap);
  clients.push(c);
  expect(await c.line()).toMatch(/^\* OK/);
  expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK/);
  return c;
}

async function headerSync(): Promise<string[]> {
  const c = await login();
  expect((await c.imap('s', 'SELECT INBOX')).tagged).toMatch(/^s OK/);
  const r = await c.imap('f', HEADER_SYNC, 60_000);
  expect(r.tagged).toMatch(/^f OK/);
  c.close();
  return r.untagged;
}

/** How many messages the cache file holds every header-sync fact for (0 if unreadable). */
async function indexedOnDisk(maildir: string): Promise<number> {
  const facts = [...(await readCacheFile(join(maildir, CACHE))).values()];
  return facts.filter(
    ({ extra }) => extra && HEADER_SYNC_KEYS.every((k) => typeof extra[k] === 'string'),
  ).length;
}

/** Waits (bounded) until the cache file holds the facts of every message. */
async function untilIndexed(maildir: string, messages = MESSAGES): Promise<number> {
  let count = 0;
  for (let i = 0; i < 300 && count < messages; i++) {
    await sleep(200);
    count = await indexedOnDisk(maildir);
  }
  return count;
}

/** The fields of a thread's or process's `stat` after its name (proc(5)), if it still runs. */
async function statFields(statPath: string): Promise<string[] | undefined> {
  const stat = await readFile(statPath, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** A thread's or process's nice value (the 19th field of its `stat`). */
async function niceOf(statPath: string): Promise<number | undefined> {
  const fields = await statFields(statPath);
  return fields && Number(fields[16]);
}

/** The nice value of each thread of `pid` other than its main thread (the event loop). */
async function otherThreadsNice(pid: number): Promise<number[]> {
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const nices = await Promise.all(
    tids.filter((t) => t !== String(pid)).map((t) => niceOf(`/proc/${pid}/task/${t}/stat`)),
  );
  return nices.filter((n) => n !== undefined);
}

/** The nice value of each running full-text helper process started by `pid`. */
async function helpersNice(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('text-worker')) continue;
    const fields = await statFields(`/proc/${entry}/stat`);
    if (fields && Number(fields[1]) === pid) out.push(Number(fields[16])); // ppid, nice
  }
  return out;
}

describe('background indexing', () => {
  it('writes every message’s header-sync facts to mailport.cache with no client asking', async () => {
    const { maildir, expected } = await corpus();
    server = await runMailport(setup!);
    expect(await untilIndexed(maildir)).toBe(MESSAGES);
    // A restart is warm: the answers come from the file, and they are the right bytes.
    await server.stop();
    server = await runMailport(setup!);
    expect(await headerSync()).toEqual(expected);
  });

  it('runs its threads and the full-text helper below the sessions’ priority', async () => {
    await corpus();
    server = await runMailport(setup!);
    const pid = server.pid;
    const seen = {
      threads: new Set<number>(),
      helpers: new Set<number>(),
      main: new Set<number>(),
    };
    let watching = true;
    const watch = (async () => {
      while (watching) {
        for (const n of await otherThreadsNice(pid)) seen.threads.add(n);
        for (const n of await helpersNice(pid)) seen.helpers.add(n);
        const main = await niceOf(`/proc/${pid}/stat`);
        if (main !== undefined) seen.main.add(main);
        await sleep(5);
      }
    })();
    // A session during the indexing: the listeners and logins are not lowered.
    await headerSync();
    await fullTextIndexBuilt(setup!.dataDir);
    watching = false;
    await watch;
    expect([...seen.main]).toEqual([0]);
    expect(seen.threads).toContain(10); // the indexer's workers
    expect(seen.threads).toContain(0); // the rest (libuv's pool: a login's scrypt, file reads)
    expect(seen.helpers.size).toBeGreaterThan(0); // lower still: nice 19 (text-builder.ts)
    for (const nice of seen.helpers) expect(nice).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it('answers a header sync during indexing as after it', async () => {
    const { maildir, expected } = await corpus();
    server = await runMailport(setup!);
    expect(await headerSync()).toEqual(expected); // at once, while the threads work
    expect(await untilIndexed(maildir)).toBe(MESSAGES);
    expect(await headerSync()).toEqual(expected);
  });

  it('accepts connections while the INBOX waits for another program’s uidlist lock', async () => {
    const { maildir } = await corpus();
    // Another program (this test's own process, alive) holds the lock, as a long Dovecot sync.
    const lock = join(maildir, 'dovecot-uidlist.lock');
    await writeFile(lock, `${process.pid}:${hostname()}`);
    server = await runMailport(setup!);
    const c = await login(); // greeted and signed in while the lock is still held
    await rm(lock);
    const r = await c.imap('s', 'SELECT INBOX', 30_000);
    expect(r.tagged).toMatch(/^s OK/);
    expect(r.untagged).toContain(`* ${MESSAGES} EXISTS`);
    // The indexer was not given up on while it waited: it indexes once the lock is gone.
    expect(await untilIndexed(maildir)).toBe(MESSAGES);
    const log = await readFile(join(setup!.dataDir, 'mailport.log'), 'utf8').catch(() => '');
    expect(log).not.toContain('cannot index the INBOX');
  }, 180_000);

  it('serves from the file after an idle folder let its cache go, new mail included', async () => {
    const { maildir, expected } = await corpus();
    server = await runMailport(setup!);
    expect(await untilIndexed(maildir)).toBe(MESSAGES);
    await sleep(4000); // no session: the INBOX's cache is written and dropped from memory
    // New mail while it is dropped: the watcher sees it without reading the cache back.
    const text = 'From: New <new@example.org>\nSubject: while idle\n\nhello\n';
    const name = `${1_800_000_000}.M1P1.idle`;
    await writeFile(join(maildir, 'tmp', name), text);
    await rename(join(maildir, 'tmp', name), join(maildir, 'new', name));
    await sleep(500);
    const facts = messageFacts(wireBytes(Buffer.from(text)));
    const [envelope, bodystructure, body] = HEADER_SYNC_KEYS.map((k) => facts[k]);
    const uid = MESSAGES + 1;
    const added = `* ${uid} FETCH (UID ${uid} ENVELOPE ${envelope} BODYSTRUCTURE ${bodystructure} BODY ${body})`;
    expect(await headerSync()).toEqual([...expected, added]);
    // Nothing the file held was lost by the writes made while it was not in memory.
    expect(await untilIndexed(maildir, MESSAGES + 1)).toBe(MESSAGES + 1);
  });

  for (const [damage, how] of [
    ['truncated', (path: string) => truncate(path, 5000)],
    ['overwritten with other bytes', (path: string) => writeFile(path, '\u0000{"version":2,')],
  ] as const) {
    it(`rebuilds a ${damage} mailport.cache, and the answers stay right`, async () => {
      const { maildir, expected } = await corpus();
      server = await runMailport(setup!);
      expect(await untilIndexed(maildir)).toBe(MESSAGES);
      await server.stop();
      await how(join(maildir, CACHE));
      server = await runMailport(setup!);
      expect(await headerSync()).toEqual(expected);
      expect(await untilIndexed(maildir)).toBe(MESSAGES);
      expect((await readdir(maildir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }
});
