/**
 * The fuzz and abuse suite (`npm run test:fuzz`): a real `mailport serve` fed grammar-aware,
 * mutated IMAP and POP3 input before and after login and STARTTLS, by several workers at once.
 * Oracles: (a) crash — the child stays alive and prints no uncaught error or warning;
 * (b) hang — every command is answered within the deadline and a fresh connection is greeted;
 * (c) invalid response — see imap-responses.ts and pop3-responses.ts; (d) memory — the
 * child's resident memory settles within a bound once the sessions are gone; (e) the Maildir —
 * the protected folder's messages are all still there, unchanged.
 *
 * MAILPORT_FUZZ_SEED replays a run; MAILPORT_FUZZ_INPUTS sets its length (default 200,000).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPLY_DEADLINE_MS, type FuzzContext } from './context.js';
import { Findings } from './findings.js';
import {
  crashSigns,
  errorLogLines,
  PROTECTED_FOLDER,
  residentBytes,
  snapshotFolder,
  startFuzzServer,
  type FuzzServer,
} from './fuzz-server.js';
import { ImapWorker } from './imap-driver.js';
import { Pop3Worker } from './pop3-driver.js';
import { Prng } from './prng.js';
import { Wire } from './wire.js';

const SEED = Number(process.env.MAILPORT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const INPUTS = Number(process.env.MAILPORT_FUZZ_INPUTS ?? 200_000);
const IMAP_WORKERS = 8;
const POP3_WORKERS = 4;
const IMAP_SHARE = 0.6;
/** Memory is judged from this share of the run on, when caches and pools have filled. */
const MEMORY_BASELINE_SHARE = 0.1;
/**
 * Resident memory may grow this much from the baseline to the end of the run, sessions closed.
 * A steady server keeps its folder caches and V8's grown heap (RSS rarely shrinks), a few tens
 * of MiB; a leak per connection or per command over thousands of sessions and hundreds of
 * thousands of commands goes far past it.
 */
const MAX_GROWTH_BYTES = 96 * 1024 * 1024;
const MONITOR_INTERVAL_MS = 5_000;
/** Fresh connections not greeted this many checks in a row: the server is stuck for good. */
const UNRESPONSIVE_CHECKS = 3;
/** How long a stuck server gets to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;
const SETTLE_MS = 3_000;

let fuzz: FuzzServer | undefined;

afterAll(async () => {
  const server = fuzz?.server;
  if (server) {
    const stopped = server.stop();
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS))]);
    if (server.alive()) await server.stop('SIGKILL');
  }
  if (fuzz) await rm(fuzz.root, { recursive: true, force: true });
});

it(
  `survives ${INPUTS} fuzzed inputs (seed ${SEED})`,
  async () => {
    console.log(
      `mailport fuzz: seed ${SEED}, ${INPUTS} inputs (MAILPORT_FUZZ_SEED=${SEED} replays)`,
    );
    const findings = new Findings();
    fuzz = await startFuzzServer(SEED, POP3_WORKERS);
    const { server } = fuzz;
    const ctx: FuzzContext = {
      findings,
      ports: server.ports,
      counts: { imap: 0, pop3: 0, sessions: 0, lockWaitMs: 0 },
      known: { zeroLiteralHangs: 0 },
      latest: new Map(),
      stopped: false,
    };
    const rng = new Prng(SEED);
    const imapWorkers = Array.from(
      { length: IMAP_WORKERS },
      (_, i) => new ImapWorker(rng.fork(), ctx, i, fuzz!.imap),
    );
    const pop3Workers = Array.from(
      { length: POP3_WORKERS },
      (_, i) => new Pop3Worker(rng.fork(), ctx, i, fuzz!.pop3[i]!),
    );
    await warmUp(fuzz);

    const memory = { baseline: 0, peak: 0 };
    let running = true;
    let unanswered = 0;
    const monitor = (async () => {
      while (running) {
        await new Promise((resolve) => setTimeout(resolve, MONITOR_INTERVAL_MS));
        if (!server.alive()) {
          ctx.stopped = true; // reported as a crash below
          return;
        }
        const rss = await residentBytes(server.pid).catch(() => 0);
        memory.peak = Math.max(memory.peak, rss);
        const done = ctx.counts.imap + ctx.counts.pop3;
        if (!memory.baseline && done >= INPUTS * MEMORY_BASELINE_SHARE) memory.baseline = rss;
        unanswered = (await greeted(fuzz!, findings, 'during the run')) ? 0 : unanswered + 1;
        if (unanswered >= UNRESPONSIVE_CHECKS) {
          // The whole server stopped answering (a blocked event loop): the run cannot go on.
          const inputs = [...ctx.latest.values()].flat();
          findings.add(
            'hang',
            `the server stopped answering for ${UNRESPONSIVE_CHECKS} checks in a row; run stopped; the workers' latest inputs follow`,
            'monitor',
            inputs,
          );
          ctx.stopped = true;
          return;
        }
        console.log(
          `mailport fuzz: ${done} inputs, ${ctx.counts.sessions} sessions, RSS ${mib(rss)}, ${findings.total} findings`,
        );
      }
    })();

    const started = Date.now();
    const imapQuota = Math.ceil((INPUTS * IMAP_SHARE) / IMAP_WORKERS);
    const pop3Quota = Math.ceil((INPUTS * (1 - IMAP_SHARE)) / POP3_WORKERS);
    await Promise.all([
      ...imapWorkers.map((w) => w.run(imapQuota)),
      ...pop3Workers.map((w) => w.run(pop3Quota)),
    ]);
    running = false;
    await monitor;
    const seconds = (Date.now() - started) / 1000;

    // (b) a fresh connection is still greeted
    await greeted(fuzz, findings, 'after the run');
    // (a) crash
    if (!server.alive())
      findings.add('crash', `mailport serve exited:\n${server.output().slice(-2000)}`, 'server');
    for (const line of crashSigns(server.output())) findings.add('crash', line, 'server output');
    for (const line of await errorLogLines(server.dataDir))
      findings.add('error-log', line.slice(0, 500), 'mailport.log');
    // (d) memory, once every session is gone and the server had a moment
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const end = server.alive() ? await residentBytes(server.pid) : 0;
    const baseline = memory.baseline || end;
    if (end - baseline > MAX_GROWTH_BYTES)
      findings.add(
        'memory',
        `RSS grew from ${mib(baseline)} to ${mib(end)} (peak ${mib(memory.peak)}); the bound is ${mib(MAX_GROWTH_BYTES)}`,
        'server',
      );
    // (e) the protected folder
    const after = await snapshotFolder(join(fuzz.root, 'imap', PROTECTED_FOLDER));
    for (const [name, hash] of fuzz.protectedFiles) {
      if (!after.has(name))
        findings.add('maildir', `${PROTECTED_FOLDER}: ${name} is gone`, 'maildir');
      else if (after.get(name) !== hash)
        findings.add('maildir', `${PROTECTED_FOLDER}: ${name} changed`, 'maildir');
    }

    const total = ctx.counts.imap + ctx.counts.pop3;
    console.log(
      `mailport fuzz: seed ${SEED}: ${total} inputs (IMAP ${ctx.counts.imap}, POP3 ${ctx.counts.pop3}) in ` +
        `${ctx.counts.sessions} sessions, ${seconds.toFixed(0)} s; RSS ${mib(baseline)} → ${mib(end)} ` +
        `(peak ${mib(memory.peak)}); longest wait for a POP3 maildrop lock ${ctx.counts.lockWaitMs} ms\n` +
        findings.report(),
    );
    expect(findings.total, findings.report()).toBe(0);
    expect(total).toBeGreaterThanOrEqual(INPUTS);
  },
  Math.max(30 * 60_000, INPUTS * 20),
);

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Each worker's own address signs in once before the fuzzing starts, so the failed logins the
 * fuzzer makes from other addresses cannot lock the account for it (auth/throttle.ts).
 */
async function warmUp(f: FuzzServer): Promise<void> {
  const logins: Promise<void>[] = [];
  for (let i = 0; i < IMAP_WORKERS; i++) logins.push(imapLogin(f, `127.0.1.${10 + i}`));
  for (let i = 0; i < POP3_WORKERS; i++) logins.push(pop3Login(f, `127.0.1.${100 + i}`, i));
  await Promise.all(logins);
}

async function imapLogin(f: FuzzServer, address: string): Promise<void> {
  let text = '';
  const wire = await Wire.open(
    f.server.ports.imap,
    address,
    false,
    (c) => (text += c.toString('latin1')),
  );
  wire.write(Buffer.from(`w LOGIN ${f.imap.user} "${f.imap.password}"\r\nx LOGOUT\r\n`));
  await wire.until(() => wire.closed, REPLY_DEADLINE_MS);
  wire.close();
  if (!/^w OK/m.test(text)) throw new Error(`warm-up IMAP login failed: ${text}`);
}

async function pop3Login(f: FuzzServer, address: string, i: number): Promise<void> {
  let text = '';
  const wire = await Wire.open(
    f.server.ports.pop3,
    address,
    false,
    (c) => (text += c.toString('latin1')),
  );
  const creds = f.pop3[i]!;
  wire.write(Buffer.from(`USER ${creds.user}\r\nPASS ${creds.password}\r\nQUIT\r\n`));
  await wire.until(() => wire.closed, REPLY_DEADLINE_MS);
  wire.close();
  if ((text.match(/^\+OK/gm) ?? []).length < 4)
    throw new Error(`warm-up POP3 login failed: ${text}`);
}

/** (b) a new client is greeted on both protocols within the deadline; false if not. */
async function greeted(f: FuzzServer, findings: Findings, when: string): Promise<boolean> {
  let all = true;
  for (const [protocol, port, greeting] of [
    ['IMAP', f.server.ports.imap, /^\* OK /],
    ['POP3', f.server.ports.pop3, /^\+OK /],
  ] as const) {
    let text = '';
    try {
      const wire = await Wire.open(port, '127.0.3.1', false, (c) => (text += c.toString('latin1')));
      const ok = await wire.until(() => text.includes('\r\n') || wire.closed, REPLY_DEADLINE_MS);
      wire.close();
      if (ok && greeting.test(text)) continue;
      findings.add(
        'hang',
        `a fresh ${protocol} connection ${when} got ${JSON.stringify(text.slice(0, 100))}`,
        'monitor',
      );
    } catch (err) {
      findings.add(
        'hang',
        `a fresh ${protocol} connection ${when} failed: ${(err as Error).message}`,
        'monitor',
      );
    }
    all = false;
  }
  return all;
}
