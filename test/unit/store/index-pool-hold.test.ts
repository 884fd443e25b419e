/**
 * `IndexPool.hold` (issue 16): after a start, background work waits until the INBOXes are read
 * and a while more; the pool reads as busy meanwhile (the full-text index waits behind it), and
 * closing the pool ends the hold at once. Order only, no timing: `ms` is 0 here.
 */
import { describe, expect, it } from 'vitest';
import { IndexPool } from '../../../src-main/core/store/maildir/index-pool.js';

const FACTS = new URL('../../../src-main/core/imap/fetch/header-sync-facts.js', import.meta.url);

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Whether `promise` has settled by the time the timers and I/O of this turn have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 5));
  return done;
}

describe('IndexPool.hold', () => {
  it('is busy, and held() waits, until the reading is over and its time has passed', async () => {
    const pool = new IndexPool(FACTS, ['envelope/1'], 1);
    expect(pool.busy).toBe(false);
    const reading = gate();
    pool.hold(reading.promise, 0);
    expect(pool.busy).toBe(true);
    expect(await settled(pool.held())).toBe(false);
    reading.open();
    expect(await settled(pool.held())).toBe(true);
    expect(pool.busy).toBe(false);
  });

  it('ends at once when the pool closes, also before the reading is over', async () => {
    const pool = new IndexPool(FACTS, ['envelope/1'], 1);
    const reading = gate();
    pool.hold(reading.promise, 60_000);
    await pool.close();
    expect(await settled(pool.held())).toBe(true);
    expect(pool.busy).toBe(false);
    reading.open(); // too late to start a timer for a hold that ended
    expect(await settled(Promise.resolve())).toBe(true);
    expect(pool.busy).toBe(false);
  });

  it('ends when the reading fails, and a new hold replaces the old one', async () => {
    const pool = new IndexPool(FACTS, ['envelope/1'], 1);
    pool.hold(Promise.reject(new Error('no Maildir')), 0);
    expect(await settled(pool.held())).toBe(true);
    const first = gate();
    pool.hold(first.promise, 0);
    const second = gate();
    pool.hold(second.promise, 0);
    first.open();
    expect(await settled(pool.held())).toBe(false); // the second reading is not over
    second.open();
    expect(await settled(pool.held())).toBe(true);
  });
});
