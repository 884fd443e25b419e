/**
 * The workloads, each a function of one server that returns a timed sample. The same client
 * code and the same commands run against both servers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapClient, type Endpoint } from './imap-client.js';
import { sample, type Sample } from './measure.js';
import { Pop3Client } from './pop3-client.js';
import { treeCpuSeconds, treeMemory } from './proc.js';
import { PASSWORD, USER, type BenchServer } from './servers.js';

export const HEADER_SYNC =
  'UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)';
export const FULL_DOWNLOAD = 'UID FETCH 1:* BODY.PEEK[]';

async function selected(server: BenchServer): Promise<ImapClient> {
  const client = await ImapClient.login(server.imap, USER, PASSWORD);
  await client.ok('SELECT INBOX');
  return client;
}

/**
 * Connect (TCP or TLS), greeting, LOGIN, LOGOUT: one new connection, always the same account,
 * as a phone checking mail again (Mailport's verified-login cache and Dovecot's auth cache hit).
 */
export function connectLogin(server: BenchServer, endpoint: Endpoint): Promise<Sample> {
  return sample(server, async () => {
    const client = await ImapClient.login(endpoint, USER, PASSWORD);
    await client.logout();
  });
}

/**
 * SELECT INBOX with nothing cached: the server is stopped, its index or cache deleted, and
 * the time runs from starting it to the tagged OK of the first SELECT (start, connect, login,
 * SELECT), as a phone sees it after the server (re)starts. The page cache stays warm.
 */
export async function coldSelect(server: BenchServer): Promise<Sample> {
  await server.stop();
  server.forgetCaches();
  let ready = 0;
  let client: ImapClient | undefined;
  const started = performance.now();
  const s = await sampleAcrossRestart(server, async () => {
    await server.start();
    ready = performance.now() - started;
    client = await ImapClient.login(server.imap, USER, PASSWORD);
    const r = await client.ok('SELECT INBOX', true);
    return { readyMs: ready, exists: existsOf(r.untagged) };
  });
  await client?.logout();
  return s;
}

/** Like `sample`, but the server's process starts inside the run (CPU counted from then). */
async function sampleAcrossRestart(
  server: BenchServer,
  run: () => Promise<Record<string, number>>,
): Promise<Sample> {
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const extra = await run();
  const ms = performance.now() - started;
  const client = process.cpuUsage(clientBefore);
  return {
    ms,
    serverCpu: treeCpuSeconds(server.pid),
    clientCpu: (client.user + client.system) / 1e6,
    extra,
  };
}

function existsOf(untagged: readonly string[]): number {
  for (const line of untagged) {
    const m = /^\* (\d+) EXISTS/.exec(line);
    if (m) return Number(m[1]);
  }
  return -1;
}

/** SELECT INBOX on a running server with its caches in place (login not timed). */
export async function warmSelect(server: BenchServer): Promise<Sample> {
  return timedSelect(server, await ImapClient.login(server.imap, USER, PASSWORD));
}

/** SELECT INBOX again on a connection that has it selected already (nothing changed). */
export async function selectAgain(server: BenchServer): Promise<Sample> {
  return timedSelect(server, await selected(server));
}

/** Times one SELECT INBOX on `client`, then logs it out. */
async function timedSelect(server: BenchServer, client: ImapClient): Promise<Sample> {
  try {
    return await sample(server, async () => {
      const r = await client.ok('SELECT INBOX', true);
      return { exists: existsOf(r.untagged) };
    });
  } finally {
    await client.logout();
  }
}

/**
 * Server start to a client's first complete sync: the server is restarted with its caches in
 * place and the time runs from starting it to the tagged OK of the header sync (start,
 * connect, LOGIN, SELECT, UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)).
 */
export async function startToFirstSync(server: BenchServer): Promise<Sample> {
  await server.stop();
  let client: ImapClient | undefined;
  const s = await sampleAcrossRestart(server, async () => {
    await server.start();
    client = await ImapClient.login(server.imap, USER, PASSWORD);
    await client.ok('SELECT INBOX');
    const r = await client.ok('UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)');
    return { responses: r.untaggedCount };
  });
  await client?.logout();
  return s;
}

/** One command on a connection that already has INBOX selected. */
export async function onSelected(
  server: BenchServer,
  command: string,
  keep = false,
  inspect?: (untagged: string[]) => Record<string, number>,
): Promise<Sample> {
  const client = await selected(server);
  try {
    return await sample(server, async () => {
      const r = await client.ok(command, keep);
      return { responses: r.untaggedCount, bytes: r.literalBytes, ...inspect?.(r.untagged) };
    });
  } finally {
    await client.logout();
  }
}

export function searchCount(untagged: string[]): Record<string, number> {
  const line = untagged.find((l) => l.startsWith('* SEARCH')) ?? '* SEARCH';
  return { found: line.split(' ').length - 2 };
}

/** `+FLAGS.SILENT` then `-FLAGS.SILENT` on every message; two samples. */
export async function storeAndBack(server: BenchServer): Promise<[Sample, Sample]> {
  const client = await selected(server);
  try {
    const add = await sample(server, async () => {
      await client.ok('UID STORE 1:* +FLAGS.SILENT (\\Flagged)');
    });
    const remove = await sample(server, async () => {
      await client.ok('UID STORE 1:* -FLAGS.SILENT (\\Flagged)');
    });
    return [add, remove];
  } finally {
    await client.logout();
  }
}

/** `clients` connections, each with INBOX selected, run the header sync at the same moment. */
export async function parallelHeaders(server: BenchServer, clients: number): Promise<Sample> {
  const connections = await Promise.all(Array.from({ length: clients }, () => selected(server)));
  try {
    return await sample(server, async () => {
      const results = await Promise.all(connections.map((c) => c.ok(HEADER_SYNC)));
      return { responses: results.reduce((n, r) => n + r.untaggedCount, 0) };
    });
  } finally {
    await Promise.all(connections.map((c) => c.logout()));
  }
}

/** POP3: log in, STAT, UIDL, RETR every message (pipelined); the connection is then dropped. */
export async function pop3Download(server: BenchServer): Promise<Sample> {
  let client: Pop3Client | undefined;
  return sample(server, async () => {
    client = await Pop3Client.login(server.pop3, USER, PASSWORD);
    const stat = await client.ok('STAT');
    const count = Number(stat.line.split(' ')[1]);
    await client.ok('UIDL', true);
    const bytes = await client.retrieveAll(count);
    return { messages: count, bytes };
  }).finally(() => client?.close());
}

export interface IdleResult {
  /** Delivery-to-EXISTS latency of every client for every delivery, ms. */
  readonly latencies: number[];
  readonly memoryIdle: ReturnType<typeof treeMemory>;
  readonly memoryOpen: ReturnType<typeof treeMemory>;
  readonly connectSeconds: number;
  readonly clientCpuShare: number;
  readonly serverCpuSeconds: number;
  readonly missed: number;
}

/**
 * `count` clients log in, SELECT INBOX and IDLE; the server's memory is read; then one message
 * is delivered `deliveries` times and each client's time to `* n EXISTS` is taken.
 */
export async function idleClients(
  server: BenchServer,
  count: number,
  deliveries: number,
  message: Buffer,
): Promise<IdleResult> {
  const memoryIdle = treeMemory(server.pid);
  const clients: ImapClient[] = [];
  const idles: { done: () => Promise<unknown> }[] = [];
  const connectStart = performance.now();
  const wave = 25;
  for (let i = 0; i < count; i += wave) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(wave, count - i) }, () => selected(server)),
    );
    clients.push(...batch);
  }
  for (const c of clients) idles.push(await c.idle());
  const connectSeconds = (performance.now() - connectStart) / 1000;
  await sleep(2000); // let both settle (Dovecot's processes, Mailport's allocations)
  const memoryOpen = treeMemory(server.pid);
  const latencies: number[] = [];
  let missed = 0;
  const s = await sample(server, async () => {
    for (let d = 0; d < deliveries; d++) {
      let deliveredAt = 0;
      const seen = clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            c.onUntagged = (line) => {
              if (/^\* \d+ EXISTS/.test(line)) {
                latencies.push(performance.now() - deliveredAt);
                c.onUntagged = undefined;
                resolve();
              }
            };
          }),
      );
      const all = Promise.all(seen);
      deliveredAt = server.deliver(
        message,
        `${Date.now()}.M${d}P${process.pid}.bench-${server.name}`,
      );
      const timeout = sleep(60_000).then(() => 'timeout');
      if ((await Promise.race([all, timeout])) === 'timeout') {
        missed += clients.filter((c) => c.onUntagged).length;
        for (const c of clients) c.onUntagged = undefined;
      }
      await sleep(1000);
    }
  });
  await Promise.all(idles.map((i) => i.done().catch(() => undefined)));
  await Promise.all(clients.map((c) => c.logout()));
  return {
    latencies,
    memoryIdle,
    memoryOpen,
    connectSeconds,
    clientCpuShare: s.clientCpu / (s.ms / 1000),
    serverCpuSeconds: s.serverCpu,
    missed,
  };
}
