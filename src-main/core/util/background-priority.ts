/**
 * Background work yields the cores to the sessions (issue 16): the header indexer's worker
 * threads lower their own scheduling priority (nice 10) when they start, and the full-text
 * helper process is lowered by the process that starts it (text-builder.ts, nice 19), so a
 * phone's LOGIN, SELECT or FETCH on the event loop, and a login's scrypt on libuv's pool, run
 * first on a machine whose cores they keep busy, and the desktop's other programs do too.
 *
 * On Linux a priority belongs to a thread: `setpriority(PRIO_PROCESS, id)` changes the thread
 * with that id only (a process's id names its main thread); threads it starts later inherit
 * it. A worker thread finds its own id in `/proc/thread-self`; without `/proc` it stays as it
 * is: lowering the whole process from a worker thread would slow the sessions too.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Nice 10: sharing a core with a nice-0 thread, Linux's scheduler gives it about a tenth. */
export const BACKGROUND_NICE = 10;

/**
 * Lowers thread or process `id` to `nice`, never raises it (a server started lower than that
 * stays there). Where that is not permitted, it runs on at its priority: never throws.
 */
export function lowerPriority(id: number, nice: number): void {
  try {
    if (getPriority(id) < nice) setPriority(id, nice);
  } catch {
    // not permitted, or the thread or process is gone
  }
}

/** Lowers the calling thread (not its process) to BACKGROUND_NICE, where threads have ids. */
export function lowerThreadPriority(): void {
  let link: string;
  try {
    link = readlinkSync('/proc/thread-self'); // "<pid>/task/<tid>": fs's sync calls run here
  } catch {
    return;
  }
  const tid = Number(link.split('/').pop());
  if (Number.isInteger(tid) && tid > 0) lowerPriority(tid, BACKGROUND_NICE);
}
