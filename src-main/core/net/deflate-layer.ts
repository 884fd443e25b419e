/**
 * COMPRESS=DEFLATE (RFC 4978): raw DEFLATE (RFC 1951, no zlib header) both ways over a socket.
 *
 * Output: every burst of writes is followed by a Z_SYNC_FLUSH before the event loop turns
 * (RFC 4978 §4: the client must be able to decode each response as it arrives), so a client
 * waiting for a reply, an IDLE push or a continuation request is never left waiting for
 * bytes held in the compressor. The compressor is piped to the socket: a slow reader stops
 * the compressor, whose input then fills, and the writer waits for `drain` as before.
 *
 * Input: inflated bytes are handed on as they come; while the session has paused input, the
 * inflater holds at most its buffer and stops inflating, and the socket stops being read
 * while the inflater's input is full. So a small compressed command cannot inflate to more
 * than those buffers plus what the session accepts under its own limits (a decompression
 * bomb costs memory bounded by them, never by its inflated size).
 */
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  type InflateRaw,
} from 'node:zlib';

export interface DeflateLayerEvents {
  /** Inflated client bytes. */
  readonly data: (chunk: Buffer) => void;
  /** A corrupt compressed stream or a zlib failure: the connection cannot go on. */
  readonly error: (err: Error) => void;
  /** False once the session is ending: input is then dropped without being inflated. */
  readonly accepting: () => boolean;
}

export class DeflateLayer {
  readonly #socket: Socket;
  readonly #deflate: DeflateRaw;
  readonly #inflate: InflateRaw;
  readonly #events: DeflateLayerEvents;
  #flushPending = false;
  #socketPaused = false;

  constructor(socket: Socket, events: DeflateLayerEvents) {
    this.#socket = socket;
    this.#events = events;
    this.#deflate = createDeflateRaw();
    this.#inflate = createInflateRaw();
    this.#deflate.pipe(socket);
    this.#deflate.on('error', events.error);
    this.#inflate.on('error', events.error);
    this.#inflate.on('data', (chunk: Buffer) => events.data(chunk));
    this.#inflate.on('drain', this.#onInflateDrain);
    socket.on('data', this.#onCompressed);
  }

  /** Where the session writes: bytes are compressed, then sent. */
  get output(): Writable {
    return this.#deflate;
  }

  /** Compressed bytes from the client. */
  input(chunk: Buffer): void {
    this.#onCompressed(chunk);
  }

  readonly #onCompressed = (chunk: Buffer): void => {
    if (!this.#events.accepting() || this.#inflate.destroyed) return;
    if (!this.#inflate.write(chunk) && !this.#socketPaused) {
      this.#socketPaused = true;
      this.#socket.pause();
    }
  };

  readonly #onInflateDrain = (): void => {
    if (!this.#socketPaused) return;
    this.#socketPaused = false;
    this.#socket.resume();
  };

  /** Stops handing on inflated bytes; inflating stops once the inflater's buffer is full. */
  pauseInput(): void {
    this.#inflate.pause();
  }

  resumeInput(): void {
    this.#inflate.resume();
  }

  /** A Z_SYNC_FLUSH once the writes of this turn of the event loop are in. */
  flushSoon(): void {
    if (this.#flushPending) return;
    this.#flushPending = true;
    setImmediate(() => {
      this.#flushPending = false;
      const deflate = this.#deflate;
      if (deflate.destroyed || deflate.writableEnded) return;
      deflate.flush(constants.Z_SYNC_FLUSH);
    });
  }

  destroy(): void {
    this.#socket.off('data', this.#onCompressed);
    this.#deflate.destroy();
    this.#inflate.destroy();
  }
}
