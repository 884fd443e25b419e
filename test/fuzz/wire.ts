/**
 * A raw client connection for the fuzzer: plain TCP from a chosen loopback source address,
 * implicit TLS, or upgraded in place (STARTTLS/STLS). It hands every chunk to one handler and
 * lets the driver wait for a condition with a deadline, woken by each chunk and by close.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { once } from 'node:events';

/** A server that does not finish connecting or handshaking within this is hung. */
const CONNECT_DEADLINE_MS = 10_000;

/** `step`, or a rejection (and the socket destroyed) when it takes longer than the deadline. */
async function within<T>(step: Promise<T>, socket: Socket, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${what} not done within ${CONNECT_DEADLINE_MS} ms`));
    }, CONNECT_DEADLINE_MS);
  });
  try {
    return await Promise.race([step, late]);
  } finally {
    clearTimeout(timer);
  }
}

export class Wire {
  #socket: Socket;
  #closed = false;
  #waiters: (() => void)[] = [];
  readonly #onData: (chunk: Buffer) => void;

  private constructor(socket: Socket, onData: (chunk: Buffer) => void) {
    this.#socket = socket;
    this.#onData = onData;
    this.#attach(socket);
  }

  static async open(
    port: number,
    localAddress: string,
    tls: boolean,
    onData: (chunk: Buffer) => void,
  ): Promise<Wire> {
    const plain = connect({ port, host: '127.0.0.1', localAddress });
    plain.on('error', () => undefined);
    await within(once(plain, 'connect'), plain, 'TCP connect');
    plain.setNoDelay(true);
    if (!tls) return new Wire(plain, onData);
    const secured = tlsConnect({ socket: plain, rejectUnauthorized: false });
    secured.on('error', () => undefined);
    await within(once(secured, 'secureConnect'), secured, 'TLS handshake');
    return new Wire(secured as unknown as Socket, onData);
  }

  #attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  /** Hands the connection to TLS (after the server said yes to STARTTLS/STLS). */
  async upgrade(): Promise<void> {
    const plain = this.#socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secured = tlsConnect({ socket: plain, rejectUnauthorized: false });
    secured.on('error', () => undefined);
    const ok = once(secured, 'secureConnect');
    const failed = once(secured, 'close').then(() => {
      throw new Error('TLS handshake failed');
    });
    await within(Promise.race([ok, failed]), secured, 'TLS handshake');
    this.#socket = secured as unknown as Socket;
    this.#attach(this.#socket);
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: Buffer): void {
    if (!this.#closed) this.#socket.write(bytes);
  }

  /** Writes in pieces with a pause between them, so the server sees them as separate reads. */
  async writeSplit(bytes: Buffer, cuts: readonly number[]): Promise<void> {
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (this.#closed) return;
      if (cut > from) this.#socket.write(bytes.subarray(from, cut));
      from = Math.max(from, cut);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Resolves true when `ready()` holds, false at the deadline. */
  async until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  close(): void {
    this.#closed = true;
    this.#socket.destroy();
    this.#wake();
  }
}
