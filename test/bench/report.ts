/**
 * Rows of the results table: each figure for both servers, the ratio Mailport/Dovecot (of
 * time, or of memory; lower is better for Mailport), the target where the issue set one, and
 * the share of a core the client used (to show it was not the bottleneck).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { median, type Sample } from './measure.js';
import type { ServerName } from './servers.js';

export type Unit = 'ms' | 'MB/s' | 'MiB' | 'B';

export interface Row {
  readonly id: string;
  readonly label: string;
  readonly unit: Unit;
  readonly dovecot: number;
  readonly mailport: number;
  /** Mailport/Dovecot of time (for MB/s rows: Dovecot's rate over Mailport's) or memory. */
  readonly ratio: number;
  readonly target?: number;
  readonly met?: boolean;
  /** Share of one core the client process used over the timed runs of this row. */
  readonly clientCpuShare?: number;
  /** Median server CPU seconds per run. */
  readonly serverCpu?: Record<ServerName, number>;
  readonly samples?: Record<ServerName, Sample[]>;
  readonly note?: string;
}

export interface RowOptions {
  readonly target?: number;
  readonly note?: string;
  /** MB/s rows: the bytes each run moved. */
  readonly bytesKey?: string;
}

export function timeRow(
  id: string,
  label: string,
  samples: Record<ServerName, Sample[]>,
  options: RowOptions = {},
): Row {
  const figure = (list: Sample[]): number =>
    options.bytesKey
      ? median(list.map((s) => (s.extra[options.bytesKey!] ?? 0) / 1e6 / (s.ms / 1000)))
      : median(list.map((s) => s.ms));
  const dovecot = figure(samples.dovecot);
  const mailport = figure(samples.mailport);
  const ratio = options.bytesKey ? dovecot / mailport : mailport / dovecot;
  const all = [...samples.dovecot, ...samples.mailport];
  return {
    id,
    label,
    unit: options.bytesKey ? 'MB/s' : 'ms',
    dovecot,
    mailport,
    ratio,
    ...(options.target !== undefined && { target: options.target, met: ratio <= options.target }),
    clientCpuShare: sum(all.map((s) => s.clientCpu)) / (sum(all.map((s) => s.ms)) / 1000),
    serverCpu: {
      dovecot: median(samples.dovecot.map((s) => s.serverCpu)),
      mailport: median(samples.mailport.map((s) => s.serverCpu)),
    },
    samples,
    ...(options.note && { note: options.note }),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function valueRow(
  id: string,
  label: string,
  unit: Unit,
  values: Record<ServerName, number>,
  options: RowOptions & { clientCpuShare?: number } = {},
): Row {
  const ratio = values.mailport / values.dovecot;
  return {
    id,
    label,
    unit,
    dovecot: values.dovecot,
    mailport: values.mailport,
    ratio,
    ...(options.target !== undefined && { target: options.target, met: ratio <= options.target }),
    ...(options.clientCpuShare !== undefined && { clientCpuShare: options.clientCpuShare }),
    ...(options.note && { note: options.note }),
  };
}

export function format(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'MB/s') return `${value.toFixed(0)} MB/s`;
  if (unit === 'MiB') return `${value.toFixed(0)} MiB`;
  if (unit === 'B') return value >= 10_000 ? `${(value / 1000).toFixed(1)} kB` : `${value} B`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${value.toFixed(0)} ms`;
  return `${value.toFixed(1)} ms`;
}

function percent(share: number | undefined): string {
  return share === undefined ? '' : `${Math.round(share * 100)}%`;
}

export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    '| Workload | Dovecot | Mailport | Mailport/Dovecot | Target | Met | Client CPU | Server CPU s (D / M) |',
    '| --- | ---: | ---: | ---: | ---: | :---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const cpu = r.serverCpu
      ? `${r.serverCpu.dovecot.toFixed(2)} / ${r.serverCpu.mailport.toFixed(2)}`
      : '';
    lines.push(
      `| ${r.label} | ${format(r.dovecot, r.unit)} | ${format(r.mailport, r.unit)} | ` +
        `${Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : 'n/a'} | ` +
        `${r.target !== undefined ? `≤ ${r.target}` : ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} | ` +
        `${percent(r.clientCpuShare)} | ${cpu} |`,
    );
  }
  return lines.join('\n');
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly dovecot: string;
  readonly loadBefore: number[];
  loadAfter?: number[];
  readonly notes: string[];
}

export function machine(): Machine {
  let dovecot = 'unknown';
  try {
    dovecot = execFileSync('dovecot', ['--version']).toString().trim();
  } catch {
    // reported as unknown
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
    dovecot,
    loadBefore: loadavg().map((l) => Math.round(l * 100) / 100),
    notes: [],
  };
}

export function machineLine(m: Machine): string {
  return (
    `${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Linux ${m.kernel}; Node ${m.node}; ` +
    `Dovecot ${m.dovecot}. Load average (1/5/15 min) before: ${m.loadBefore.join(' / ')}` +
    (m.loadAfter ? `, after: ${m.loadAfter.join(' / ')}` : '') +
    (m.notes.length ? `; ${m.notes.join('; ')}` : '')
  );
}
