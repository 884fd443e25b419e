/**
 * Measures Mailport's full-text index alone (issue 16), without Dovecot: on the bench corpus
 * (default 100,000 messages), the time from start until the INBOX's index is built, the
 * server's RSS while building (peak) and after, `UID SEARCH TEXT` times with the index, and
 * after a restart how long the segments take to open and the RSS then.
 *
 *   npm run build && npx tsc -p tsconfig.bench.json && node dist/bench/test/bench/fulltext-harness.js [count]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dataPaths } from '../../src-main/core/config/paths.js';
import { SettingsStore } from '../../src-main/core/config/settings-store.js';
import { TEXT_MARKER, writeCorpus } from './corpus.js';
import { treeCpuSeconds, treeMemory } from './proc.js';
import { createMailport, type BenchServer } from './servers.js';
import { onSelected, searchCount } from './workloads.js';

const POLL_MS = 250;
const WAIT_POLLS = 4 * 60 * 30; // 30 minutes
const BUILT = 'full-text index up to date';
const SEARCHES = 3;
const IDLE_CPU_SECONDS = 0.05;
const SETTLE_STEPS = 4;
const SETTLE_STEP_MS = 5000;

function threads(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
}

const count = Number(process.argv[2] ?? 100_000);
/** `--off`: the same steps with the index turned off (the baseline: no build, searches scan). */
const off = process.argv.includes('--off');
const work = mkdtempSync(join(tmpdir(), 'mailport-fts-harness-'));
const maildir = join(work, 'Maildir');

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const mb = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MB`;

/** Waits until the server has used under IDLE_CPU_SECONDS in a second; the peak RSS meanwhile. */
async function quiet(server: BenchServer) {
  let peak = 0;
  let cpu = treeCpuSeconds(server.pid);
  for (let i = 0; i < WAIT_POLLS; i++) {
    await sleep(1000);
    peak = Math.max(peak, treeMemory(server.pid).rss);
    const now = treeCpuSeconds(server.pid);
    if (now - cpu < IDLE_CPU_SECONDS) return { peak, line: {} };
    cpu = now;
  }
  throw new Error('the server did not go quiet');
}

/** Waits for the `n`th "up to date" line; the peak RSS seen meanwhile. */
async function built(server: BenchServer, dataDir: string, n: number) {
  let peak = 0;
  for (let i = 0; i < WAIT_POLLS; i++) {
    peak = Math.max(peak, treeMemory(server.pid).rss);
    const text = (() => {
      try {
        return readFileSync(dataPaths(dataDir).logFile, 'utf8');
      } catch {
        return '';
      }
    })();
    const lines = text.split('\n').filter((l) => l.includes(BUILT));
    if (lines.length >= n)
      return { peak, line: JSON.parse(lines[n - 1]!) as Record<string, number> };
    await sleep(POLL_MS);
  }
  throw new Error('the index was not built');
}

async function searches(server: BenchServer): Promise<string> {
  const times: string[] = [];
  let found = 0;
  for (let i = 0; i < SEARCHES; i++) {
    const s = await onSelected(server, `UID SEARCH TEXT "${TEXT_MARKER}"`, true, searchCount);
    times.push(`${s.ms.toFixed(0)} ms`);
    found = s.extra.found ?? 0;
  }
  return `${times.join(', ')} (${found} found)`;
}

try {
  log(`writing ${count} messages`);
  writeCorpus(count, 16, [{ maildir }]);
  const server = await createMailport(maildir, work);
  const dataDir = join(work, 'mailport-data');
  if (off) {
    const settings = await SettingsStore.open(dataPaths(dataDir).settings);
    await settings.update((s) => void (s.imap.fullTextIndex = false));
  }
  const ready = (n: number) => (off ? quiet(server) : built(server, dataDir, n));
  let started = performance.now();
  await server.start();
  const first = await ready(1);
  log(
    `built in ${((performance.now() - started) / 1000).toFixed(1)} s after start: ${JSON.stringify(first.line)}`,
  );
  log(`RSS peak while building ${mb(first.peak)}, now ${mb(treeMemory(server.pid).rss)}`);
  log(`UID SEARCH TEXT: ${await searches(server)}`);
  for (let i = 0; i < SETTLE_STEPS; i++) {
    await sleep(SETTLE_STEP_MS); // the worker threads end when idle
    log(
      `RSS after the searches, +${((i + 1) * SETTLE_STEP_MS) / 1000} s: ${mb(treeMemory(server.pid).rss)}, ${threads(server.pid)} threads`,
    );
  }
  await server.stop();
  started = performance.now();
  await server.start();
  const again = await ready(2);
  log(
    `restart: segments open, up to date ${((performance.now() - started) / 1000).toFixed(2)} s after start: ${JSON.stringify(again.line)}`,
  );
  log(`UID SEARCH TEXT after restart: ${await searches(server)}`);
  await sleep(3000);
  log(`RSS after restart and searches ${mb(treeMemory(server.pid).rss)}`);
  await server.stop();
} finally {
  rmSync(work, { recursive: true, force: true });
}
