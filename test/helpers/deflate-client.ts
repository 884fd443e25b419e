/**
 * A raw IMAP client that can turn on COMPRESS=DEFLATE (RFC 4978): plain lines until
 * `compress()`, then raw DEFLATE both ways, each command sent with a sync flush. For
 * transcript tests against Mailport and Dovecot.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  type InflateRaw,
} from 'node:zlib';

export class DeflateClient {
  readonly socket: Socket;
  #text = '';
  #closed = false;
  #wake: (() => void) | undefined;
  #deflate: DeflateRaw | undefined;
  #inflate: InflateRaw | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.#inflate) this.#inflate.write(chunk);
      else this.#received(chunk);
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<DeflateClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await once(socket, 'connect');
    return new DeflateClient(socket);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #received(chunk: Buffer): void {
    this.#text += chunk.toString('latin1');
    this.#wake?.();
  }

  /** From now on both directions are compressed (call it after the tagged OK). */
  compress(): void {
    this.#deflate = createDeflateRaw();
    this.#inflate = createInflateRaw();
    this.#deflate.on('data', (c: Buffer) => this.socket.write(c));
    this.#inflate.on('data', (c: Buffer) => this.#received(c));
    this.#inflate.on('error', () => this.socket.destroy());
  }

  /** Sends bytes as they are, compressed when compression is on, flushed at once. */
  send(data: string | Buffer): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (!this.#deflate) this.socket.write(bytes);
    else {
      this.#deflate.write(bytes);
      this.#deflate.flush(constants.Z_SYNC_FLUSH);
    }
  }

  /** Compresses bytes without flushing, waiting while the compressor is full (large input). */
  async stream(data: Buffer): Promise<void> {
    if (!this.#deflate) throw new Error('compression is off');
    if (!this.#deflate.write(data)) await once(this.#deflate, 'drain');
  }

  /** The next CRLF-terminated line (without CRLF); rejects on close or after `timeoutMs`. */
  async line(timeoutMs = 10_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#text.indexOf('\r\n');
      if (end !== -1) {
        const line = this.#text.slice(0, end);
        this.#text = this.#text.slice(end + 2);
        return line;
      }
      if (this.#closed) throw new Error(`connection closed; pending: ${this.#text.slice(0, 200)}`);
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no line within ${timeoutMs} ms: ${this.#text.slice(0, 200)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Exactly `n` more octets (a literal). */
  async bytes(n: number, timeoutMs = 10_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (this.#text.length < n) {
      if (this.#closed) throw new Error('connection closed in a literal');
      const left = until - Date.now();
      if (left <= 0) throw new Error(`literal incomplete after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    const out = this.#text.slice(0, n);
    this.#text = this.#text.slice(n);
    return out;
  }

  /** `<tag> <command>`: the untagged lines (literals inlined) and the tagged reply. */
  async imap(
    tag: string,
    command: string,
    timeoutMs = 10_000,
  ): Promise<{ untagged: string[]; tagged: string }> {
    this.send(`${tag} ${command}\r\n`);
    const untagged: string[] = [];
    for (;;) {
      let line = await this.line(timeoutMs);
      for (let m = /\{(\d+)\}$/.exec(line); m; m = /\{(\d+)\}$/.exec(line))
        line += `\r\n${await this.bytes(Number(m[1]), timeoutMs)}${await this.line(timeoutMs)}`;
      if (line.startsWith(`${tag} `)) return { untagged, tagged: line };
      untagged.push(line);
    }
  }

  close(): void {
    this.socket.destroy();
    this.#deflate?.destroy();
    this.#inflate?.destroy();
  }
}
