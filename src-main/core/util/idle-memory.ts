/**
 * Giving memory back when the server goes idle (issue 16). Dropping a folder's cache makes it
 * garbage, but V8 collects an old generation that no longer grows only much later, and keeps
 * the pages it has; an idle server then stays at its busiest size. Once the caches are let
 * go, the modules that keep memory for speed (the LF → CRLF converter, the wire slabs) drop
 * it too, and one full collection returns the heap to near its start size. A second one after
 * a quiet period lets V8 shrink the young generation: it does so only in a collection that
 * sees a low allocation rate over the last seconds (V8's `Heap::ReduceNewSpaceSize`), and the
 * first one still sees the burst that went before. Each semispace stays at the 16 MiB a
 * download grew it to otherwise (measured: 32 MiB of the idle process's memory).
 *
 * `gc` is not exposed to a normal process: V8's `--expose-gc` flag, set at run time, makes a
 * fresh context get it (the approach Node's `v8.setFlagsFromString` documentation shows for
 * run-time flags); it is called only from here, at most twice per idle period.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The collection waits this long after the last request, so a burst of releases makes one. */
const COLLECT_AFTER_IDLE_MS = 1000;
/**
 * The second collection comes this long after the first: longer than the window V8 measures
 * its allocation rate over (5 s, `GCTracer`'s throughput time frame).
 */
const SHRINK_AFTER_COLLECT_MS = 5500;

/**
 * `collectWhenQuiet` looks this often whether the event loop has gone quiet: busy for at most
 * QUIET_UTILIZATION of the time since it last looked.
 */
const QUIET_CHECK_MS = 1000;
const QUIET_UTILIZATION = 0.05;

let collector: (() => void) | null | undefined;
let quietTimer: NodeJS.Timeout | undefined;
let timer: NodeJS.Timeout | undefined;
/** What modules let go when the server is idle, registered by `releaseWhenIdle`. */
const releasers = new Set<() => void>();

function fullCollection(): (() => void) | null {
  if (collector !== undefined) return collector;
  try {
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as () => void;
  } catch {
    collector = null; // not available (another runtime): V8 collects in its own time
  }
  return collector;
}

/**
 * `release` runs when the server goes idle (no session has a folder open), before the
 * collection: it drops memory kept only to be reused, which its module makes again on demand.
 */
export function releaseWhenIdle(release: () => void): void {
  releasers.add(release);
}

/**
 * Asks for one full collection soon (a folder's cache was let go); it runs only if `idle`
 * still says so then, so a client that came back meanwhile is not made to wait for it.
 */
export function collectSoon(idle: () => boolean): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (!idle()) return;
    for (const release of releasers) release();
    fullCollection()?.();
    timer = setTimeout(() => {
      if (idle()) fullCollection()?.();
    }, SHRINK_AFTER_COLLECT_MS);
    timer.unref();
  }, COLLECT_AFTER_IDLE_MS);
  timer.unref();
}

/**
 * Asks for a full collection once the event loop has been nearly idle for a whole
 * QUIET_CHECK_MS, sessions open or not, and a second one at the end of the first quiet
 * SHRINK_AFTER_COLLECT_MS after it (that one shrinks the young generation, see above). It is for the end of
 * a burst of work that leaves garbage while folders stay open, such as the indexing pass
 * after a start (every folder's mailport.cache read and parsed): phones that keep an IDLE
 * connection open all day keep `collectSoon` from ever running. V8 would collect by itself
 * only once its memory reducer noticed the low allocation rate, 8 s or more later. A client
 * that comes meanwhile only postpones it.
 */
export function collectWhenQuiet(): void {
  if (quietTimer) return;
  afterQuiet(QUIET_CHECK_MS, () => {
    fullCollection()?.();
    // Busy meanwhile: the whole wait again, so that V8's window no longer sees the burst.
    afterQuiet(SHRINK_AFTER_COLLECT_MS, () => fullCollection()?.());
  });
}

/** Runs `then` at the end of the first `period` in which the event loop was quiet enough. */
function afterQuiet(period: number, then: () => void): void {
  let last = performance.eventLoopUtilization();
  quietTimer = setTimeout(function check() {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    quietTimer = undefined;
    if (busy > QUIET_UTILIZATION) quietTimer = setTimeout(check, period).unref();
    else then();
  }, period).unref();
}
