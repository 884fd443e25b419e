/**
 * `npm run bench`: Mailport against Dovecot 2.3 on the same machine, in the same run.
 *
 * Two seeded corpora (10,000 and 100,000 messages; `--small`: 2,000 and 10,000) are written
 * to two copies each, one served by Dovecot and one by Mailport, both on loopback. Every
 * workload runs against both servers, alternating which goes first, after a warm-up; figures
 * are medians. The table goes to stdout, the results to bench-results/latest.json and
 * bench-results/latest.md, and (full runs only) into docs/performance.md between its markers.
 *
 * Options: --small, --only=id,id (run only these workloads), --no-large (skip the 100,000
 * corpus), --no-main (skip the 10,000 corpus), --keep (leave the Maildirs in the temp folder), --no-docs, --profile (write CPU
 * profiles of Mailport to bench-results/profiles).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { format as prettier, resolveConfig } from 'prettier';
import { FROM_MARKER, TEXT_MARKER, writeCorpus, type CorpusStats } from './corpus.js';
import { alternate, median, type Sample } from './measure.js';
import { machine, machineLine, markdownTable, timeRow, valueRow, type Row } from './report.js';
import { treeMemory, type Memory } from './proc.js';
import {
  createDovecot,
  createMailport,
  DOVECOT_BINARY,
  type BenchServer,
  type ServerName,
} from './servers.js';
import { dataPaths } from '../../src-main/core/config/paths.js';
import { qresyncResync, resyncTargets } from './resync.js';
import {
  coldSelect,
  connectLogin,
  FULL_DOWNLOAD,
  HEADER_SYNC,
  idleClients,
  onSelected,
  parallelHeaders,
  pop3Download,
  searchCount,
  selectAgain,
  startToFirstSync,
  storeAndBack,
  warmSelect,
} from './workloads.js';

const args = new Set(process.argv.slice(2));
const only = [...args]
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const SMALL = args.has('--small');
const SIZES = SMALL ? { main: 2_000, large: 10_000 } : { main: 10_000, large: 100_000 };
const IDLE_CLIENTS = 200;
/**
 * Memory "after the workloads" is read once both servers have been quiet this long: the same
 * for both, and an idle server, not one caught in the moment its last client left.
 */
const QUIET_BEFORE_MEMORY_MS = 10_000;
const LARGE_WORKLOADS = [
  'select-cold',
  'select-warm',
  'select-again',
  'fetch-headers',
  'fetch-full',
  'search-from',
  'search-since',
  'search-text',
  'resync',
];
const PARALLEL_CLIENTS = 8;

const started = performance.now();
const rows: Row[] = [];
const checks: {
  what: string;
  dovecot: number;
  mailport: number;
  expected?: number;
  ok: boolean;
}[] = [];
const corpora: Record<string, CorpusStats> = {};
const servers: BenchServer[] = [];
const workDirs: string[] = [];

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function progress(text: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${seconds} s] ${text}\n`);
}

function wanted(id: string): boolean {
  return !only || only.some((o) => id === o || id.startsWith(`${o}`));
}

function check(what: string, values: Record<ServerName, number>, expected?: number): void {
  const ok =
    values.dovecot === values.mailport && (expected === undefined || values.mailport === expected);
  checks.push({ what, ...values, ...(expected !== undefined && { expected }), ok });
  if (!ok) progress(`CHECK FAILED: ${what}: ${JSON.stringify(values)} expected ${expected}`);
}

function lastExtra(samples: Record<ServerName, Sample[]>, key: string): Record<ServerName, number> {
  return {
    dovecot: samples.dovecot.at(-1)?.extra[key] ?? NaN,
    mailport: samples.mailport.at(-1)?.extra[key] ?? NaN,
  };
}

async function withServers(
  count: number,
  seed: number,
  label: string,
  body: (pair: BenchServer[], corpus: CorpusStats) => Promise<void>,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `mailport-bench-${label}-`));
  workDirs.push(root);
  progress(`writing ${count.toLocaleString('en')} messages twice under ${root}`);
  const nobody = {
    uid: Number(execFileSync('id', ['-u', 'nobody']).toString()),
    gid: Number(execFileSync('id', ['-g', 'nobody']).toString()),
  };
  const corpus = writeCorpus(count, seed, [
    { maildir: join(root, 'dovecot-mail'), owner: nobody },
    { maildir: join(root, 'mailport-mail') },
  ]);
  corpora[label] = corpus;
  progress(
    `corpus: ${(corpus.totalFileBytes / 1e6).toFixed(0)} MB, median ${corpus.medianFileBytes} B, ` +
      `${corpus.multiMegabyte} over 1 MB, written in ${corpus.seconds.toFixed(1)} s`,
  );
  const profile = args.has('--profile')
    ? ['--cpu-prof', `--cpu-prof-dir=${join(process.cwd(), 'bench-results', 'profiles')}`]
    : [];
  const mailport = await createMailport(
    join(root, 'mailport-mail'),
    join(root, 'mailport'),
    profile,
  );
  servers.push(mailport);
  await mailport.start(); // first start: makes the certificate and indexes the Maildir
  const certs = dataPaths(join(root, 'mailport', 'mailport-data')).certsDir;
  const dovecot = await createDovecot(join(root, 'dovecot-mail'), root, {
    certFile: join(certs, 'server.pem'),
    keyFile: join(certs, 'server-key.pem'),
    caFile: join(certs, 'ca.pem'),
  });
  servers.push(dovecot);
  await dovecot.start();
  try {
    await body([dovecot, mailport], corpus);
  } finally {
    await Promise.all([dovecot.stop(), mailport.stop()]);
    servers.splice(0);
    if (!args.has('--keep')) rmSync(root, { recursive: true, force: true });
  }
}

function suffix(label: string): string {
  return label === 'main' ? '' : ` (${SIZES.large.toLocaleString('en')})`;
}

async function selects(pair: BenchServer[], label: string, coldReps: number, warmReps: number) {
  const count = label === 'main' ? SIZES.main : SIZES.large;
  if (wanted('select-cold')) {
    progress(`cold SELECT ×${coldReps}`);
    const cold = await alternate(pair, coldReps, (s) => coldSelect(s));
    check(`cold SELECT EXISTS${suffix(label)}`, lastExtra(cold, 'exists'), count);
    rows.push(
      timeRow(
        `select-cold-${label}`,
        `SELECT INBOX cold: start, login, SELECT${suffix(label)}`,
        cold,
        {
          ...(label === 'large' && { target: 1.5 }),
          note: `server start to tagged OK; ready after ${median(cold.mailport.map((s) => s.extra.readyMs!)).toFixed(0)} ms (Mailport) / ${median(cold.dovecot.map((s) => s.extra.readyMs!)).toFixed(0)} ms (Dovecot)`,
        },
      ),
    );
  }
  if (wanted('select-warm')) {
    progress(`warm SELECT ×${warmReps}`);
    await alternate(pair, 1, (s) => warmSelect(s));
    const warm = await alternate(pair, warmReps, (s) => warmSelect(s));
    rows.push(timeRow(`select-warm-${label}`, `SELECT INBOX warm${suffix(label)}`, warm));
  }
  if (wanted('select-again')) {
    progress(`SELECT INBOX again on the same connection ×${warmReps}`);
    await alternate(pair, 1, (s) => selectAgain(s));
    const again = await alternate(pair, warmReps, (s) => selectAgain(s));
    check(`SELECT again EXISTS${suffix(label)}`, lastExtra(again, 'exists'), count);
    rows.push(
      timeRow(
        `select-again-${label}`,
        `SELECT INBOX again on the same connection${suffix(label)}`,
        again,
      ),
    );
  }
}

async function firstSync(pair: BenchServer[], count: number, reps: number) {
  if (!wanted('first-sync')) return;
  progress(`start to first complete sync ×${reps}`);
  const runs = await alternate(pair, reps, (s) => startToFirstSync(s));
  check('first complete sync responses', lastExtra(runs, 'responses'), count);
  rows.push(
    timeRow(
      'first-sync',
      'Start to first complete sync: start, LOGIN, SELECT, UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)',
      runs,
      { note: 'server restarted with its caches in place; the time runs from starting it' },
    ),
  );
}

async function headerSyncs(pair: BenchServer[], label: string, count: number, reps: number) {
  if (!wanted('fetch-headers')) return;
  progress('header sync, first (fills caches)');
  const first = await alternate(pair, 1, (s) => onSelected(s, HEADER_SYNC));
  check(`first header sync responses${suffix(label)}`, lastExtra(first, 'responses'), count);
  rows.push(
    timeRow(
      `fetch-headers-first-${label}`,
      `Header sync, first after start (fills caches)${suffix(label)}`,
      first,
    ),
  );
  progress(`header sync warm ×${reps}`);
  const warm = await alternate(pair, reps, (s) => onSelected(s, HEADER_SYNC));
  check(`warm header sync responses${suffix(label)}`, lastExtra(warm, 'responses'), count);
  rows.push(
    timeRow(
      `fetch-headers-${label}`,
      `Header sync warm: UID FETCH 1:* (… ENVELOPE BODYSTRUCTURE)${suffix(label)}`,
      warm,
      {
        target: 1.0,
      },
    ),
  );
}

async function fullDownload(
  pair: BenchServer[],
  corpus: CorpusStats,
  label: string,
  warmUps: number,
  reps: number,
): Promise<void> {
  if (!wanted('fetch-full')) return;
  progress(`full download${suffix(label)}`);
  await alternate(pair, warmUps, (s) => onSelected(s, FULL_DOWNLOAD));
  const full = await alternate(pair, reps, (s) => onSelected(s, FULL_DOWNLOAD));
  check(`full download octets${suffix(label)}`, lastExtra(full, 'bytes'), corpus.totalWireBytes);
  rows.push(
    timeRow(
      `fetch-full-${label}`,
      `Full download: UID FETCH 1:* BODY.PEEK[]${suffix(label)}`,
      full,
      {
        bytesKey: 'bytes',
        target: 1.0,
      },
    ),
  );
}

async function searches(
  pair: BenchServer[],
  corpus: CorpusStats,
  label: string,
  which: readonly ('from' | 'since' | 'text')[],
): Promise<void> {
  const sinceDay = new Date((corpus.firstArrival + corpus.lastArrival) / 2);
  const month = sinceDay.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
  const since = `${sinceDay.getUTCDate()}-${month}-${sinceDay.getUTCFullYear()}`;
  const commands = {
    from: [`UID SEARCH FROM "${FROM_MARKER}"`, 3],
    since: [`UID SEARCH SINCE ${since}`, 3],
    text: [`UID SEARCH TEXT "${TEXT_MARKER}"`, 2],
  } as const;
  for (const key of which) {
    const id = `search-${key}`;
    if (!wanted(id)) continue;
    const [command, reps] = commands[key];
    const built = key === 'text' ? await fullTextIndexes(pair) : undefined;
    progress(`${command}${suffix(label)}`);
    await alternate(pair, 1, (s) => onSelected(s, command, true, searchCount));
    const runs = await alternate(pair, reps, (s) => onSelected(s, command, true, searchCount));
    check(`${command} matches${suffix(label)}`, lastExtra(runs, 'found'));
    rows.push(
      timeRow(`${id}-${label}`, `${command}${suffix(label)}`, runs, {
        target: 1.0,
        ...(built && { note: built }),
      }),
    );
  }
}

/** How long the bench waits for Mailport's full-text index of the INBOX (checked each second). */
const INDEX_WAIT_SECONDS = 1800;

/**
 * Waits until Mailport's full-text index of the INBOX is up to date (issue 16: built in the
 * background after start, kept in the data dir across restarts); a note on how it was built.
 * Dovecot runs without an FTS plugin and reads every message.
 */
async function fullTextIndexes(pair: BenchServer[]): Promise<string | undefined> {
  const mailport = pair.find((s) => s.fullTextIndexBuilt);
  if (!mailport) return undefined;
  progress("waiting for Mailport's full-text index");
  for (let i = 0; i < INDEX_WAIT_SECONDS; i++) {
    const built = mailport.fullTextIndexBuilt!();
    if (built)
      return `Mailport's full-text index (${built.covered} of ${built.messages} messages, ${built.segments} segments) up to date ${((built.ms ?? 0) / 1000).toFixed(1)} s into its last build, before measuring; Dovecot without FTS`;
    await sleep(1000);
  }
  throw new Error(`Mailport's full-text index not up to date after ${INDEX_WAIT_SECONDS} s`);
}

/** QRESYNC (RFC 7162 §3.2.5): a client comes back after one flag change and one deletion. */
async function resyncs(pair: BenchServer[], label: string, count: number, reps: number) {
  if (!wanted('resync')) return;
  progress(`QRESYNC resync after one change ×${reps}${suffix(label)}`);
  // Each round changes other messages; the same round changes the same UIDs on both servers.
  const from = (first: number) => (s: BenchServer, rep: number) =>
    qresyncResync(s, resyncTargets(count, first + rep));
  await alternate(pair, 1, from(0));
  const runs = await alternate(pair, reps, from(1));
  const last = resyncTargets(count, reps);
  check(`QRESYNC resync VANISHED UID${suffix(label)}`, lastExtra(runs, 'vanishedUid'), last.gone);
  check(`QRESYNC resync FETCH UID${suffix(label)}`, lastExtra(runs, 'fetchedUid'), last.flag);
  const exact = (list: Sample[]) =>
    list.filter((s, i) => {
      const t = resyncTargets(count, i + 1);
      return (
        s.extra.vanishedUid === t.gone && s.extra.fetchedUid === t.flag && s.extra.fetches === 1
      );
    }).length;
  check(
    `QRESYNC resync rounds answered with exactly the change${suffix(label)}`,
    { dovecot: exact(runs.dovecot), mailport: exact(runs.mailport) },
    reps,
  );
  const what = `Resync after one change: LOGIN, ENABLE QRESYNC, SELECT (QRESYNC)${suffix(label)}`;
  rows.push(
    timeRow(`resync-${label}`, what, runs, {
      note: 'one file renamed (\\Flagged) and one deleted on disk since the client last synced',
    }),
    valueRow(`resync-bytes-${label}`, `${what}: octets received`, 'B', {
      dovecot: median(runs.dovecot.map((s) => s.extra.bytes!)),
      mailport: median(runs.mailport.map((s) => s.extra.bytes!)),
    }),
  );
}

async function mainCorpus(pair: BenchServer[], corpus: CorpusStats): Promise<void> {
  const [dovecot, mailport] = pair as [BenchServer, BenchServer];
  for (const tls of [false, true]) {
    const id = tls ? 'login-tls' : 'login-plain';
    if (!wanted(id)) continue;
    progress(`connect + login (${tls ? 'TLS' : 'plain'})`);
    await alternate(pair, 2, (s) => connectLogin(s, tls ? s.imaps : s.imap));
    const runs = await alternate(pair, 15, (s) => connectLogin(s, tls ? s.imaps : s.imap));
    rows.push(
      timeRow(
        id,
        `Connect + LOGIN + LOGOUT, ${tls ? 'implicit TLS' : 'plain'} (per connection, same account)`,
        runs,
      ),
    );
  }
  await selects(pair, 'main', 3, 5);
  await firstSync(pair, corpus.messages, 3);
  await headerSyncs(pair, 'main', corpus.messages, 3);
  await fullDownload(pair, corpus, 'main', 1, 2);
  await searches(pair, corpus, 'main', ['from', 'since', 'text']);
  if (wanted('store')) {
    progress('UID STORE +FLAGS.SILENT and back');
    await alternate(pair, 1, (s) => storeAndBack(s).then(([a]) => a));
    const add: Record<ServerName, Sample[]> = { dovecot: [], mailport: [] };
    const remove: Record<ServerName, Sample[]> = { dovecot: [], mailport: [] };
    await alternate(pair, 2, async (s) => {
      const [a, r] = await storeAndBack(s);
      add[s.name].push(a);
      remove[s.name].push(r);
      return a;
    });
    rows.push(timeRow('store-add', 'UID STORE 1:* +FLAGS.SILENT (\\Flagged)', add));
    rows.push(timeRow('store-remove', 'UID STORE 1:* -FLAGS.SILENT (\\Flagged) (back)', remove));
  }
  if (wanted('parallel')) {
    progress(`${PARALLEL_CLIENTS} clients syncing headers in parallel`);
    const runs = await alternate(pair, 2, (s) => parallelHeaders(s, PARALLEL_CLIENTS));
    check(
      'parallel header sync responses',
      lastExtra(runs, 'responses'),
      PARALLEL_CLIENTS * corpus.messages,
    );
    rows.push(
      timeRow(
        'parallel-headers',
        `${PARALLEL_CLIENTS} clients syncing headers in parallel (all done)`,
        runs,
      ),
    );
  }
  if (wanted('pop3')) {
    progress('POP3 download');
    await alternate(pair, 1, (s) => pop3Download(s));
    const runs = await alternate(pair, 2, (s) => pop3Download(s));
    check('POP3 messages', lastExtra(runs, 'messages'), corpus.messages);
    rows.push(
      timeRow('pop3', 'POP3: login, STAT, UIDL, RETR of every message', runs, {
        bytesKey: 'bytes',
        target: 1.0,
      }),
    );
  }
  if (wanted('idle')) {
    const message = Buffer.from(
      'From: Bench <bench@example.org>\nTo: me@example.com\nSubject: New mail\n' +
        'Date: Mon, 6 Jan 2025 10:00:00 +0000\nMessage-ID: <new@example.org>\n\nHello.\n',
    );
    const results: Partial<Record<ServerName, Awaited<ReturnType<typeof idleClients>>>> = {};
    const afterWork: Partial<Record<ServerName, Memory>> = {};
    // What the workloads above left behind once both servers had the same quiet moment (an
    // idle server, not one caught mid-way through giving memory back), then a fresh start:
    // the figure with 200 connections is what holding them costs, not what earlier downloads
    // left in the heap.
    await sleep(QUIET_BEFORE_MEMORY_MS);
    for (const server of [dovecot, mailport]) afterWork[server.name] = treeMemory(server.pid);
    for (const server of [dovecot, mailport]) {
      await server.stop();
      await server.start();
      await sleep(1000);
      progress(`${IDLE_CLIENTS} IDLE clients on ${server.name} (restarted)`);
      results[server.name] = await idleClients(server, IDLE_CLIENTS, 3, message);
      progress(
        `  connected in ${results[server.name]!.connectSeconds.toFixed(1)} s, missed ${results[server.name]!.missed}`,
      );
    }
    const d = results.dovecot!;
    const m = results.mailport!;
    const share = Math.max(d.clientCpuShare, m.clientCpuShare);
    const latencyNote = `${IDLE_CLIENTS} clients × 3 deliveries`;
    rows.push(
      valueRow(
        'idle-median',
        `IDLE: delivery to EXISTS, median of ${IDLE_CLIENTS} clients`,
        'ms',
        {
          dovecot: median(d.latencies),
          mailport: median(m.latencies),
        },
        { target: 1.0, clientCpuShare: share, note: latencyNote },
      ),
      valueRow(
        'idle-max',
        `IDLE: delivery to EXISTS, slowest of ${IDLE_CLIENTS} clients`,
        'ms',
        {
          dovecot: Math.max(...d.latencies),
          mailport: Math.max(...m.latencies),
        },
        { target: 1.0, clientCpuShare: share, note: latencyNote },
      ),
      valueRow(
        'memory',
        `Server memory (PSS) with ${IDLE_CLIENTS} IMAP connections open (restarted server)`,
        'MiB',
        {
          dovecot: d.memoryOpen.pss / 2 ** 20,
          mailport: m.memoryOpen.pss / 2 ** 20,
        },
        {
          target: 1.0,
          note: `RSS sums: Dovecot ${mib(d.memoryOpen.rss)} in ${d.memoryOpen.processes} processes, Mailport ${mib(m.memoryOpen.rss)}; after the restart, before the connections: Dovecot ${mib(d.memoryIdle.pss)} PSS, Mailport ${mib(m.memoryIdle.pss)}`,
        },
      ),
      valueRow(
        'memory-after-work',
        'Server memory (PSS) after the workloads above, no connections open',
        'MiB',
        {
          dovecot: afterWork.dovecot!.pss / 2 ** 20,
          mailport: afterWork.mailport!.pss / 2 ** 20,
        },
        {
          note: `${QUIET_BEFORE_MEMORY_MS / 1000} s after the last workload ended, both servers; RSS sums: Dovecot ${mib(afterWork.dovecot!.rss)} in ${afterWork.dovecot!.processes} processes, Mailport ${mib(afterWork.mailport!.rss)}`,
        },
      ),
    );
    check('IDLE notifications missed', { dovecot: d.missed, mailport: m.missed }, 0);
  }
  // Last: it deletes messages, and the checks above count the whole corpus.
  await resyncs(pair, 'main', corpus.messages, 5);
}

/**
 * The 100,000-message corpus: SELECT, header sync, full download, the two cheap searches and
 * the QRESYNC resync.
 * TEXT (reads all 3 GB on every run), POP3 (the same per-message reads as the full
 * download), STORE and the 200 IDLE clients are measured on the 10,000-message corpus only,
 * to keep the whole run within 15 minutes on two cores.
 */
async function largeCorpus(pair: BenchServer[], corpus: CorpusStats): Promise<void> {
  await selects(pair, 'large', 2, 3);
  await headerSyncs(pair, 'large', corpus.messages, 2);
  await fullDownload(pair, corpus, 'large', 0, 1);
  await searches(pair, corpus, 'large', ['from', 'since', 'text']);
  await resyncs(pair, 'large', corpus.messages, 3);
}

/** Written files are formatted as `npm run lint` expects them. */
async function writeFormatted(path: string, text: string): Promise<void> {
  const config = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await prettier(text, { ...config, filepath: path }));
}

async function writeResults(m: ReturnType<typeof machine>): Promise<void> {
  const outDir = join(process.cwd(), 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const table = markdownTable(rows);
  const when = new Date().toISOString();
  const json = {
    date: when,
    small: SMALL,
    machine: m,
    corpora,
    rows,
    checks,
    seconds: (performance.now() - started) / 1000,
  };
  await writeFormatted(join(outDir, 'latest.json'), JSON.stringify(json, null, 2));
  const summary =
    `Run ${when}${SMALL ? ' (--small)' : ''}, ${(json.seconds / 60).toFixed(1)} minutes. ${machineLine(m)}.\n\n` +
    `Corpora: ${Object.entries(corpora)
      .map(
        ([k, c]) =>
          `${c.messages.toLocaleString('en')} messages (${(c.totalFileBytes / 1e6).toFixed(0)} MB, median ${(c.medianFileBytes / 1000).toFixed(1)} KB, ${c.multiMegabyte} of 1 MB or more)${k === 'main' ? '' : ''}`,
      )
      .join('; ')}.\n\n${table}\n\n` +
    rows
      .filter((r) => r.note)
      .map((r) => `- ${r.label}: ${r.note}`)
      .join('\n') +
    `\n\nChecks (same answers from both servers): ${checks.filter((c) => c.ok).length} of ${checks.length} passed` +
    (checks.some((c) => !c.ok)
      ? `; failed: ${checks
          .filter((c) => !c.ok)
          .map((c) => c.what)
          .join('; ')}`
      : '') +
    '.\n';
  await writeFormatted(join(outDir, 'latest.md'), summary);
  process.stdout.write(`\n${summary}\n`);
  const doc = join(process.cwd(), 'docs', 'performance.md');
  if (
    !SMALL &&
    !only &&
    !args.has('--no-docs') &&
    !args.has('--no-large') &&
    !args.has('--no-main') &&
    existsSync(doc)
  ) {
    const text = readFileSync(doc, 'utf8');
    const start = '<!-- bench:latest:start -->';
    const end = '<!-- bench:latest:end -->';
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a !== -1 && b > a) {
      await writeFormatted(doc, `${text.slice(0, a + start.length)}\n${summary}\n${text.slice(b)}`);
      progress(`table written into ${doc}`);
    }
  }
}

const INOTIFY_INSTANCES = '/proc/sys/fs/inotify/max_user_instances';
let inotifyRestore: string | undefined;

/**
 * Each Dovecot IMAP process watches the Maildir with its own inotify instance; Linux allows 128
 * per user by default, and beyond that Dovecot falls back to polling every 30 s (it logs a
 * warning saying to raise the limit). For 200 IDLE clients the limit is raised for the run, as
 * Dovecot's documentation asks, and restored afterwards. Mailport uses one instance.
 */
function raiseInotifyLimit(): string {
  try {
    const current = readFileSync(INOTIFY_INSTANCES, 'utf8').trim();
    if (Number(current) >= 1024) return `inotify max_user_instances ${current}`;
    writeFileSync(INOTIFY_INSTANCES, '1024');
    inotifyRestore = current;
    return `inotify max_user_instances raised from ${current} to 1024 for the run`;
  } catch {
    return 'inotify max_user_instances could not be raised (not root?): Dovecot IDLE may poll';
  }
}

async function cleanUp(): Promise<void> {
  if (inotifyRestore) {
    try {
      writeFileSync(INOTIFY_INSTANCES, inotifyRestore);
      inotifyRestore = undefined;
    } catch {
      // left raised; harmless
    }
  }
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  if (!args.has('--keep'))
    for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (!existsSync(join(process.cwd(), 'dist/main/cli/main.js')))
    throw new Error('Build Mailport first (npm run build); `npm run bench` does it for you.');
  if (!existsSync(DOVECOT_BINARY))
    throw new Error('The benchmark needs Dovecot: apt-get install dovecot-imapd dovecot-pop3d');
  if (process.getuid?.() !== 0)
    throw new Error('Run the benchmark as root: Dovecot serves its copy of the mail as nobody.');
  const m = machine();
  progress(machineLine(m));
  m.notes.push(raiseInotifyLimit());
  progress(m.notes.at(-1)!);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping the servers and deleting the Maildirs`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    if (!args.has('--no-main')) await withServers(SIZES.main, 1, 'main', mainCorpus);
    if (!args.has('--no-large') && LARGE_WORKLOADS.some(wanted))
      await withServers(SIZES.large, 2, 'large', largeCorpus);
  } finally {
    await cleanUp();
  }
  m.loadAfter = loadavg().map((l) => Math.round(l * 100) / 100);
  await writeResults(m);
  const missed = rows.filter((r) => r.met === false).map((r) => r.id);
  progress(
    `done in ${((performance.now() - started) / 60000).toFixed(1)} min; targets missed: ${missed.join(', ') || 'none'}`,
  );
}

main().catch(async (err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  for (const s of servers) process.stderr.write(`--- ${s.name} log ---\n${s.log().slice(-3000)}\n`);
  await cleanUp();
  process.exit(1);
});
