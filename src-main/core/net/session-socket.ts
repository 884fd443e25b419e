/**
 * The socket side of a protocol session, shared by IMAP and POP3: event wiring, timeouts,
 * writes with backpressure, the STARTTLS/STLS swap to a TLS socket, IMAP's COMPRESS=DEFLATE
 * layer, and a graceful end.
 */
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { DeflateLayer } from './deflate-layer.js';

export interface SessionSocketEvents {
  readonly data: (chunk: Buffer) => void;
  readonly timeout: () => void;
  /** Called once, when the connection is gone (whichever socket carried it last). */
  readonly close: () => void;
  readonly error: (err: Error) => void;
}

export class SessionSocket {
  #socket: Socket;
  /** Where writes go: the socket, or the deflate layer in front of it (COMPRESS). */
  #out: Writable;
  #deflate: DeflateLayer | undefined;
  readonly #events: SessionSocketEvents;
  #ending = false;
  #closed = false;
  #deadline: NodeJS.Timeout | undefined;
  /** `written` callbacks of writes that may still be in the stream (see `#settle`). */
  readonly #written: Callback[] = [];

  constructor(socket: Socket, events: SessionSocketEvents) {
    this.#socket = socket;
    this.#out = socket;
    this.#events = events;
    this.#attach(socket);
  }

  /** True once COMPRESS=DEFLATE is on (RFC 4978). */
  get compressed(): boolean {
    return this.#deflate !== undefined;
  }

  /** Bytes written and not yet taken by the kernel. */
  get buffered(): number {
    return this.#out.writableLength;
  }

  /** True once the session is ending or gone: nothing more should be written. */
  get ending(): boolean {
    return this.#ending || this.#closed || this.#socket.destroyed;
  }

  readonly #onClose = (): void => {
    if (this.#closed) return;
    this.#closed = true;
    this.clearDeadline();
    this.#deflate?.destroy();
    this.#events.close();
  };

  #attach(socket: Socket): void {
    socket.on('data', this.#events.data);
    socket.on('error', this.#events.error);
    socket.on('timeout', this.#events.timeout);
    socket.on('close', this.#onClose);
  }

  #detach(socket: Socket): void {
    socket.off('data', this.#events.data);
    socket.off('error', this.#events.error);
    socket.off('timeout', this.#events.timeout);
    socket.off('close', this.#onClose);
  }

  /** An idle timeout: any byte from the client starts it again. */
  setTimeout(ms: number): void {
    this.#socket.setTimeout(ms);
  }

  /**
   * An absolute deadline (epoch ms), unlike `setTimeout`: bytes from the client do not move
   * it. `onExpire` runs once, unless `clearDeadline` comes first.
   */
  setDeadline(at: number, onExpire: () => void): void {
    this.clearDeadline();
    if (this.#closed) return;
    this.#deadline = setTimeout(onExpire, Math.max(0, at - Date.now()));
    this.#deadline.unref();
  }

  clearDeadline(): void {
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  /**
   * Signing in must be done within `limitMs` from accept, however slowly the client keeps
   * sending: an idle timeout would let a byte every few seconds hold the connection for ever.
   * The TLS handshake of an implicit-TLS port counts too. This one clock ends silent and
   * trickling clients alike, so there is no separate pre-login idle timeout. `expire` says
   * goodbye in the protocol's words with the text it is given.
   */
  armLoginDeadline(acceptedAt: number, limitMs: number, expire: (text: string) => void): void {
    const seconds = Math.round(limitMs / 1000);
    this.setDeadline(acceptedAt + limitMs, () =>
      expire(`Sign-in took too long (the limit is ${seconds} seconds from connecting).`),
    );
  }

  /** Signed in: the login deadline is over and the idle timeout takes its place. */
  signedIn(idleTimeoutMs: number): void {
    this.clearDeadline();
    this.setTimeout(idleTimeoutMs);
  }

  /** Stops delivering input (the session has enough unframed bytes). */
  pause(): void {
    if (this.#deflate) this.#deflate.pauseInput();
    else this.#socket.pause();
  }

  resume(): void {
    if (this.#deflate) this.#deflate.resumeInput();
    else this.#socket.resume();
  }

  /** Holds writes until `uncork`, which sends them as one. */
  cork(): void {
    this.#out.cork();
  }

  uncork(): void {
    this.#out.uncork();
    this.#settle();
  }

  /**
   * Strings are protocol bytes, one per character (latin1); node copies them as it sends.
   * `written` runs once the bytes are no longer needed: taken by the kernel, or not sent at
   * all (the connection is ending or failed).
   */
  write(data: string | Buffer, written?: () => void): void {
    if (this.ending) {
      written?.();
      return;
    }
    const done = written && new Callback(written);
    if (typeof data === 'string') this.#out.write(data, 'latin1', done?.run);
    else this.#out.write(data, done?.run);
    if (done) this.#written.push(done);
    this.#settle();
    this.#deflate?.flushSoon();
  }

  /**
   * Runs the `written` callbacks at once when nothing is left in the stream: the kernel took
   * every byte during the write call. Node would run them only on a later tick, after a
   * pipelined download has gone on to read more messages into fresh memory.
   */
  #settle(): void {
    if (this.#written.length > 0 && this.#out.writableLength === 0)
      for (const done of this.#written.splice(0)) done.run();
    // The stream runs them in order: those it ran are dropped, so a slow client's long
    // download does not collect them.
    while (this.#written[0]?.ran) this.#written.shift();
  }

  /** Writes a chunk of a stream, waiting while the client is slow to read. */
  async writeChunk(chunk: Buffer): Promise<void> {
    if (this.ending) return;
    const room = this.#out.write(chunk);
    this.#deflate?.flushSoon();
    if (!room) await this.drained();
  }

  /**
   * COMPRESS=DEFLATE (RFC 4978 §3): from now on both directions are raw DEFLATE. Call it
   * right after writing the tagged OK; `pending` is input that arrived after the COMPRESS
   * command and so is already compressed.
   */
  compress(pending: readonly Buffer[]): void {
    if (this.#deflate || this.ending) return;
    const socket = this.#socket;
    socket.off('data', this.#events.data);
    this.#deflate = new DeflateLayer(socket, {
      data: this.#events.data,
      error: (err) => {
        this.#events.error(err);
        this.destroy();
      },
      accepting: () => !this.ending,
    });
    this.#out = this.#deflate.output;
    // Input paused for the session is now paused at the inflater; the socket reads again.
    socket.resume();
    for (const chunk of pending) this.#deflate.input(chunk);
  }

  /**
   * Resolves at `drain` or `close`, whichever comes first, and removes the other listener:
   * a session that waits many times must not collect listeners for its whole life.
   */
  async drained(): Promise<void> {
    const socket = this.#out;
    if (!socket.writableNeedDrain || this.ending) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  /** Hands the socket to TLS (STARTTLS, STLS). False, and the connection closed, on failure. */
  async upgrade(toTls: (socket: Socket) => Promise<TLSSocket>): Promise<boolean> {
    const plain = this.#socket;
    this.#detach(plain);
    try {
      this.#socket = (await toTls(plain)) as unknown as Socket;
      this.#out = this.#socket;
      this.#attach(this.#socket);
      return true;
    } catch {
      plain.on('close', this.#onClose);
      plain.destroy();
      return false;
    }
  }

  /** Half-closes after the last reply; a client that does not close its side is cut off. */
  end(graceMs: number): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#out.end(); // the deflate layer finishes its stream, then ends the socket
    setTimeout(() => this.#socket.destroy(), graceMs).unref();
  }

  /** Drops the connection at once (a reply that cannot be completed). */
  destroy(): void {
    this.#ending = true;
    this.#socket.destroy();
    this.#deflate?.destroy();
  }
}

/** A callback that runs on its first call only. */
class Callback {
  ran = false;
  readonly #fn: () => void;

  constructor(fn: () => void) {
    this.#fn = fn;
  }

  readonly run = (): void => {
    if (this.ran) return;
    this.ran = true;
    this.#fn();
  };
}
