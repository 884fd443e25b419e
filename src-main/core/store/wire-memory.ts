/**
 * Reusable memory for message bytes on their way to a socket.
 *
 * A whole message read for sending is converted (LF → CRLF) into a region of a large slab;
 * the session writes the region and releases it in the write's callback, once the socket has
 * the bytes. A slab whose regions are all released is used again, so a long download moves
 * its bytes through the same few MiB instead of a fresh Buffer (or string) per message:
 * memory outside V8's heap whose churn forces full collections, costly with a large heap.
 * A region that is never released is simply collected with its slab, never reused.
 *
 * Where the SIMD converter runs, its module's memory has slabs of its own, and a message is
 * converted straight into one (`convertToWire`): no copy out of the module per message.
 */
import type { WireBytes } from './types.js';
import { COPY_OVERRUN, WIRE_SLAB_BYTES, type SimdCrlf } from './crlf-simd.js';
import { releaseWhenIdle } from '../util/idle-memory.js';

/** Size of one slab; a larger request gets memory of its own (not pooled). */
export const SLAB_BYTES = WIRE_SLAB_BYTES;
/** Released slabs of our own kept for reuse; more are left to the garbage collector. */
const SLABS_KEPT = 8;

class Slab {
  used = 0;
  /** Regions handed out and not yet released. */
  live = 0;

  constructor(
    readonly buffer: Buffer,
    readonly pool: Pool,
  ) {}

  /** The next `length` octets, already filled by the caller. */
  take(length: number): WireBytes {
    const bytes = this.buffer.subarray(this.used, this.used + length);
    this.used += length;
    this.live += 1;
    return new Region(bytes, this);
  }
}

/**
 * Slabs handed out one at a time (`current`) and those whose regions were all released.
 * `make` gives a new slab, or undefined when there is none to give.
 */
class Pool {
  current: Slab | undefined;
  readonly spare: Slab[] = [];

  constructor(
    readonly make: (pool: Pool) => Slab | undefined,
    readonly kept: number,
  ) {}

  /** A slab with `room` octets free after its `used`, or undefined when none can be had. */
  withRoom(room: number): Slab | undefined {
    const full = this.current;
    if (full && full.used + room <= SLAB_BYTES) return full;
    // The full slab is retired (reused once its last region is released) for a spare one.
    if (full && full.live === 0 && this.spare.length < this.kept) {
      full.used = 0;
      this.spare.push(full);
    }
    this.current = this.spare.pop() ?? this.make(this);
    if (this.current) this.current.used = 0;
    return this.current;
  }

  released(slab: Slab): void {
    if (slab === this.current)
      slab.used = 0; // empty again: start from its beginning
    else if (this.spare.length < this.kept) this.spare.push(slab);
  }
}

const ownMemory = new Pool((pool) => new Slab(Buffer.allocUnsafe(SLAB_BYTES), pool), SLABS_KEPT);
/** The slabs of one converter's memory (a new converter after an idle release: new ones). */
let moduleMemory: { readonly simd: SimdCrlf; readonly pool: Pool } | undefined;

// An idle server keeps no slab: those in use stay with their regions, the rest are collected.
releaseWhenIdle(() => {
  ownMemory.spare.length = 0;
  ownMemory.current = undefined;
  moduleMemory = undefined;
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
    if (slab && --slab.live === 0) slab.pool.released(slab);
  };
}

/**
 * `length` octets of reusable memory for the caller to fill at once (synchronously), then
 * hand on; whoever sends the bytes calls `release` when the socket no longer needs them.
 */
export function takeWireMemory(length: number): WireBytes {
  if (length > SLAB_BYTES) return new Region(Buffer.allocUnsafe(length), undefined);
  return ownMemory.withRoom(length)!.take(length);
}

/**
 * The first `length` octets of the converter's input in CRLF, converted straight into one of
 * its module's slabs; undefined when the worst case (every octet an LF) would not fit a slab
 * or every slab of the module still holds bytes not yet sent (the caller then converts and
 * copies into `takeWireMemory`).
 */
export function convertToWire(simd: SimdCrlf, length: number): WireBytes | undefined {
  const room = 2 * length + COPY_OVERRUN;
  if (room > SLAB_BYTES) return undefined;
  if (moduleMemory?.simd !== simd) moduleMemory = { simd, pool: slabsOf(simd) };
  const slab = moduleMemory.pool.withRoom(room);
  if (!slab) return undefined;
  const written = simd.convertInto(length, slab.buffer.subarray(slab.used, slab.used + room));
  return slab.take(written);
}

/** A pool over the module's slabs, each handed out once and always kept. */
function slabsOf(simd: SimdCrlf): Pool {
  let given = 0;
  return new Pool((pool) => {
    const buffer = simd.wireSlabs[given];
    if (!buffer) return undefined;
    given += 1;
    return new Slab(buffer, pool);
  }, simd.wireSlabs.length);
}
