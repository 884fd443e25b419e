/**
 * One timed run against one server: wall time, the server's CPU time (its whole process tree)
 * and this process's CPU time (the client's), so each figure says whether the client could
 * have been the bottleneck.
 */
import { treeCpuSeconds } from './proc.js';
import type { BenchServer, ServerName } from './servers.js';

export interface Sample {
  readonly ms: number;
  /** CPU seconds the server's processes used during the run. */
  readonly serverCpu: number;
  /** CPU seconds this (client) process used during the run. */
  readonly clientCpu: number;
  /** Workload-specific numbers (bytes, counts, latencies). */
  readonly extra: Record<string, number>;
}

export async function sample(
  server: BenchServer,
  run: () => Promise<Record<string, number> | void>,
): Promise<Sample> {
  const cpuBefore = treeCpuSeconds(server.pid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const extra = (await run()) ?? {};
  const ms = performance.now() - started;
  const client = process.cpuUsage(clientBefore);
  const serverCpu = treeCpuSeconds(server.pid) - cpuBefore;
  return { ms, serverCpu, clientCpu: (client.user + client.system) / 1e6, extra };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `reps` rounds, each against both servers, alternating which goes first. */
export async function alternate(
  servers: readonly BenchServer[],
  reps: number,
  run: (server: BenchServer, rep: number) => Promise<Sample>,
): Promise<Record<ServerName, Sample[]>> {
  const out: Record<ServerName, Sample[]> = { dovecot: [], mailport: [] };
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) out[server.name].push(await run(server, rep));
  }
  return out;
}
