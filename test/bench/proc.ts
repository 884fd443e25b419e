/**
 * CPU time and memory of server processes, read from /proc (Linux). For Dovecot these are sums
 * over the master and every process under it; CPU of children that already exited is in their
 * parent's cutime/cstime.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime, seconds. */
  readonly own: number;
  /** cutime + cstime (reaped children), seconds. */
  readonly children: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number): number => Number(f[i]) / TICKS_PER_SECOND;
  return { pid, ppid: Number(f[1]), own: n(11) + n(12), children: n(13) + n(14) };
}

/** The process and everything below it. */
export function processTree(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = byParent.get(stat.ppid) ?? [];
    list.push(stat.pid);
    byParent.set(stat.ppid, list);
  }
  const out: number[] = [];
  const visit = (pid: number): void => {
    out.push(pid);
    for (const child of byParent.get(pid) ?? []) visit(child);
  };
  visit(root);
  return out;
}

/** CPU seconds used so far by the tree, including children already reaped. */
export function treeCpuSeconds(root: number): number {
  let total = 0;
  for (const pid of processTree(root)) {
    const stat = readStat(pid);
    if (stat) total += stat.own + stat.children;
  }
  return total;
}

export interface Memory {
  /** Sum of resident set sizes (shared pages counted in every process), bytes. */
  readonly rss: number;
  /** Sum of proportional set sizes (shared pages divided among their users), bytes. */
  readonly pss: number;
  readonly processes: number;
}

function kbField(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

export function treeMemory(root: number): Memory {
  let rss = 0;
  let pss = 0;
  let processes = 0;
  for (const pid of processTree(root)) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
      rss += kbField(rollup, 'Rss');
      pss += kbField(rollup, 'Pss');
      processes += 1;
    } catch {
      // exited meanwhile
    }
  }
  return { rss, pss, processes };
}
