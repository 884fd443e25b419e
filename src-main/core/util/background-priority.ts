/**
 * Background work yields the cores to the sessions (issue 16). The header indexer's worker
 * threads lower their own scheduling priority (nice 10) when they start, so a phone's LOGIN,
 * SELECT or FETCH on the event loop, and a login's scrypt on libuv's pool, run first on a
 * machine whose cores they keep busy, and the desktop's other programs do too. (The full-text
 * helper is a process of its own and runs lower still: text-builder.ts.)
 *
 * On Linux a priority belongs to a thread: `setpriority(PRIO_PROCESS, tid)` with the calling
 * thread's id, read from `/proc/thread-self`, changes this thread only; threads it starts
 * later inherit it. Elsewhere (no `/proc`) it changes nothing: lowering a whole process's
 * priority from a worker thread would slow the sessions too.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Nice 10: sharing a core with a nice-0 thread, Linux's scheduler gives it about a tenth. */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the calling thread's priority to `nice`, never raises it (a server started lower than
 * that stays there); returns whether the thread now runs at `nice` or lower. Never throws.
 */
export function lowerThreadPriority(nice = BACKGROUND_NICE): boolean {
  try {
    // "<pid>/task/<tid>": the thread that runs this (fs's sync calls run on the calling thread).
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
