/**
 * A raw IMAP client that can turn on COMPRESS=DEFLATE (RFC 4978): plain lines until the
 * tagged OK of its COMPRESS, then raw DEFLATE both ways, each command sent with a sync flush.
 * For transcript tests against Mailport and Dovecot.
 *
 * Two things a compressing client must get right, both about timing it does not control:
 * - The switch (RFC 4978 §3): the server compresses from the byte after the CRLF of its
 *   tagged OK, and that OK may arrive in one chunk with the first compressed bytes. So the
 *   plain input is scanned line by line while a COMPRESS is pending, and the rest of the
 *   chunk after the OK goes to the inflater.
 * - The end: inflating is asynchronous (zlib works off the main thread), so the socket's
 *   `close` can come before the inflater has handed on the last reply (a LOGOUT's BYE and
 *   OK arrive with the server's FIN). The connection counts as closed only once the
 *   inflater has given out everything it was fed.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  deflateRawSync,
  type DeflateRaw,
  type InflateRaw,
} from 'node:zlib';

const DEFAULT_TIMEOUT_MS = 10_000;
const POLL_MS = 20;
/** The kernel's code for CLOSE_WAIT (the peer has sent its FIN) in /proc/net/tcp. */
const TCP_CLOSE_WAIT = '08';

function hexPort(port: number | undefined): string {
  return (port ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

export class DeflateClient {
  readonly socket: Socket;
  #text = '';
  #closed = false;
  #wake: (() => void) | undefined;
  #deflate: DeflateRaw | undefined;
  #inflate: InflateRaw | undefined;
  /** While a COMPRESS awaits its answer: its tag, and the plain line read so far. */
  #switchTag: string | undefined;
  #partialLine = '';

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.#inflate) this.#inflate.write(chunk);
      else this.#plain(chunk);
    });
    socket.on('close', () => {
      const inflate = this.#inflate;
      if (!inflate || inflate.destroyed) this.#markClosed();
      else {
        inflate.once('close', () => this.#markClosed());
        inflate.end(); // its last `data` comes before its `close`
      }
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<DeflateClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await once(socket, 'connect');
    return new DeflateClient(socket);
  }

  /** True once the server's last byte has been read and inflated, and the socket is gone. */
  get closed(): boolean {
    return this.#closed;
  }

  #markClosed(): void {
    this.#closed = true;
    this.#wake?.();
  }

  #received(chunk: Buffer): void {
    this.#text += chunk.toString('latin1');
    this.#wake?.();
  }

  /** Plain input; while a COMPRESS is pending, the byte after its tagged OK starts inflating. */
  #plain(chunk: Buffer): void {
    const tag = this.#switchTag;
    if (tag === undefined) return this.#received(chunk);
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        this.#partialLine += chunk.subarray(start).toString('latin1');
        return this.#received(chunk);
      }
      const line = this.#partialLine + chunk.subarray(start, nl + 1).toString('latin1');
      this.#partialLine = '';
      start = nl + 1;
      if (!line.startsWith(`${tag} `)) continue;
      this.#switchTag = undefined;
      this.#received(chunk.subarray(0, start));
      if (!/^\S+ OK[ \r]/i.test(line)) return this.#received(chunk.subarray(start));
      this.#startInflating().write(chunk.subarray(start));
      return;
    }
  }

  #startInflating(): InflateRaw {
    const inflate = createInflateRaw();
    inflate.on('data', (c: Buffer) => this.#received(c));
    inflate.on('error', () => this.socket.destroy());
    this.#inflate = inflate;
    return inflate;
  }

  /**
   * Sends `<tag> COMPRESS DEFLATE` and returns the tagged reply; after an OK both directions
   * are compressed. `pipelined` is sent compressed in the same write as the COMPRESS (a
   * client that does not wait for the OK); its reply is read as usual afterwards.
   */
  async compress(tag = 'z', pipelined?: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    if (this.#deflate) throw new Error('compression is on already');
    this.#switchTag = tag;
    const command = Buffer.from(`${tag} COMPRESS DEFLATE\r\n`, 'latin1');
    if (pipelined === undefined) this.socket.write(command);
    else {
      // A sync-flushed run of blocks: the compressor started below continues the stream
      // with blocks of its own (RFC 1951 §3.2.3), none referring back into these.
      const options = { finishFlush: constants.Z_SYNC_FLUSH };
      const compressed = deflateRawSync(Buffer.from(pipelined, 'latin1'), options);
      this.socket.write(Buffer.concat([command, compressed]));
    }
    let tagged: string;
    do tagged = await this.line(timeoutMs);
    while (!tagged.startsWith(`${tag} `));
    if (this.#inflate) {
      this.#deflate = createDeflateRaw();
      this.#deflate.on('data', (c: Buffer) => this.socket.write(c));
    }
    return tagged;
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

  /** Waits for more input, `close`, or the deadline; false once the deadline has passed. */
  async #waitInput(until: number): Promise<boolean> {
    const left = until - Date.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
    return true;
  }

  /** The next CRLF-terminated line (without CRLF); rejects on close or after `timeoutMs`. */
  async line(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#text.indexOf('\r\n');
      if (end !== -1) {
        const line = this.#text.slice(0, end);
        this.#text = this.#text.slice(end + 2);
        return line;
      }
      if (this.#closed) throw new Error(`connection closed; pending: ${this.#text.slice(0, 200)}`);
      if (!(await this.#waitInput(until)))
        throw new Error(`no line within ${timeoutMs} ms: ${this.#text.slice(0, 200)}`);
    }
  }

  /** Exactly `n` more octets (a literal). */
  async bytes(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (this.#text.length < n) {
      if (this.#closed) throw new Error('connection closed in a literal');
      if (!(await this.#waitInput(until)))
        throw new Error(`literal incomplete after ${timeoutMs} ms`);
    }
    const out = this.#text.slice(0, n);
    this.#text = this.#text.slice(n);
    return out;
  }

  /** `<tag> <command>`: the untagged lines (literals inlined) and the tagged reply. */
  async imap(
    tag: string,
    command: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<{ untagged: string[]; tagged: string }> {
    this.send(`${tag} ${command}\r\n`);
    return this.reply(tag, timeoutMs);
  }

  /** Reads up to the tagged reply of `tag`: the untagged lines (literals inlined) and it. */
  async reply(
    tag: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<{ untagged: string[]; tagged: string }> {
    const untagged: string[] = [];
    for (;;) {
      let line = await this.line(timeoutMs);
      for (let m = /\{(\d+)\}$/.exec(line); m; m = /\{(\d+)\}$/.exec(line))
        line += `\r\n${await this.bytes(Number(m[1]), timeoutMs)}${await this.line(timeoutMs)}`;
      if (line.startsWith(`${tag} `)) return { untagged, tagged: line };
      untagged.push(line);
    }
  }

  /**
   * Lets input pile up unread until `ready()`, then hands it to the client all at once, so
   * that what arrived apart is read together (polled every POLL_MS, at most `timeoutMs`).
   */
  async heldUntil(ready: () => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    this.socket.pause();
    try {
      for (let waited = 0; !ready(); waited += POLL_MS) {
        if (waited >= timeoutMs) throw new Error(`not ready within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      // One more turn of the event loop: whatever the kernel still held has been read.
      await new Promise((r) => setTimeout(r, POLL_MS));
    } finally {
      this.socket.resume();
    }
  }

  /** Bytes read from the socket and not yet handed to the client (see `heldUntil`). */
  get heldBytes(): number {
    return this.socket.readableLength;
  }

  /**
   * The server has closed its side and the kernel holds nothing more for us: its FIN is in
   * (TCP state CLOSE_WAIT in /proc/net/tcp) and every byte before it has been read.
   */
  peerClosed(): boolean {
    const local = hexPort(this.socket.localPort);
    const remote = hexPort(this.socket.remotePort);
    for (const row of readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
      const [, localAddress, remoteAddress, state, queues] = row.trim().split(/\s+/);
      if (!localAddress?.endsWith(`:${local}`) || !remoteAddress?.endsWith(`:${remote}`)) continue;
      const rxQueue = parseInt(queues?.split(':')[1] ?? '', 16);
      return state === TCP_CLOSE_WAIT && rxQueue === 0;
    }
    return false;
  }

  close(): void {
    this.socket.destroy();
    this.#deflate?.destroy();
    this.#inflate?.destroy();
  }
}
