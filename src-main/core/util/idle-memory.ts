/**
 * Giving memory back when the server goes idle (issue 16). Dropping a folder's cache makes it
 * garbage, but V8 collects an old generation that no longer grows only much later, and keeps
 * the pages it has; an idle server then stays at its busiest size. One full collection once
 * the caches are let go returns the heap to near its start size.
 *
 * `gc` is not exposed to a normal process: V8's `--expose-gc` flag, set at run time, makes a
 * fresh context get it (the approach Node's `v8.setFlagsFromString` documentation shows for
 * run-time flags); it is called only from here, at most once per COLLECT_AFTER_IDLE_MS.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The collection waits this long after the last request, so a burst of releases makes one. */
const COLLECT_AFTER_IDLE_MS = 1000;

let collector: (() => void) | null | undefined;
let timer: NodeJS.Timeout | undefined;

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
 * Asks for one full collection soon (a folder's cache was let go); it runs only if `idle`
 * still says so then, so a client that came back meanwhile is not made to wait for it.
 */
export function collectSoon(idle: () => boolean): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (idle()) fullCollection()?.();
  }, COLLECT_AFTER_IDLE_MS);
  timer.unref();
}
