/**
 * Reusable memory for message bytes on their way to a socket.
 *
 * A whole message read for sending is converted (LF → CRLF) into a region of a large slab;
 * the session writes the region and releases it in the write's callback, once the socket has
 * the bytes. A slab whose regions are all released is used again, so a long download moves
 * its bytes through the same few MiB instead of a fresh Buffer (or string) per message:
 * memory outside V8's heap whose churn forces full collections, costly with a large heap.
 * A region that is never released is simply collected with its slab, never reused.
 */
import type { WireBytes } from './types.js';
import { releaseWhenIdle } from '../util/idle-memory.js';

/** Size of one slab; a larger request gets memory of its own (not pooled). */
export const SLAB_BYTES = 1024 * 1024;
/** Released slabs kept for reuse; more are left to the garbage collector. */
const SLABS_KEPT = 8;

class Slab {
  readonly buffer = Buffer.allocUnsafe(SLAB_BYTES);
  used = 0;
  /** Regions handed out and not yet released. */
  live = 0;
}

const spare: Slab[] = [];
let current: Slab | undefined;

// An idle server keeps no slab: those in use stay with their regions, the rest are collected.
releaseWhenIdle(() => {
  spare.length = 0;
  current = undefined;
});

class Region implements WireBytes {
  readonly bytes: Buffer;
  #slab: Slab | undefined;

  constructor(bytes: Buffer, slab: Slab | undefined) {
    this.bytes = bytes;
    this.#slab = slab;
  }

  /** Idempotent: only the first call counts. */
  readonly release = (): void => {
    const slab = this.#slab;
    this.#slab = undefined;
    if (!slab || --slab.live > 0) return;
    if (slab === current)
      slab.used = 0; // empty again: start from its beginning
    else if (spare.length < SLABS_KEPT) spare.push(slab);
  };
}

/**
 * `length` octets of reusable memory for the caller to fill at once (synchronously), then
 * hand on; whoever sends the bytes calls `release` when the socket no longer needs them.
 */
export function takeWireMemory(length: number): WireBytes {
  if (length > SLAB_BYTES) return new Region(Buffer.allocUnsafe(length), undefined);
  if (!current || current.used + length > SLAB_BYTES) current = nextSlab(current);
  const slab = current;
  const bytes = slab.buffer.subarray(slab.used, slab.used + length);
  slab.used += length;
  slab.live += 1;
  return new Region(bytes, slab);
}

/** The full slab is retired (reused once its last region is released) for a spare one. */
function nextSlab(full: Slab | undefined): Slab {
  if (full && full.live === 0 && spare.length < SLABS_KEPT) {
    full.used = 0;
    spare.push(full);
  }
  const slab = spare.pop() ?? new Slab();
  slab.used = 0;
  return slab;
}
