/**
 * A lean POP3 client for the benchmark: commands pipelined (RFC 2449 PIPELINING, which both
 * servers offer) with a bounded window, multi-line replies found by their "CRLF . CRLF" end
 * without copying the bytes between.
 */
import type { Socket } from 'node:net';
import { openSocket, type Endpoint } from './imap-client.js';

interface Pending {
  readonly multiline: boolean;
  resolve(reply: { ok: boolean; line: string; bytes: number }): void;
  reject(err: Error): void;
}

const END = Buffer.from('\r\n.\r\n');

export class Pop3Client {
  readonly socket: Socket;
  readonly #queue: Pending[] = [];
  #line: Buffer[] = [];
  /** Inside a multi-line reply: bytes so far, and the last 4 bytes seen (for a split end). */
  #inBody = false;
  #bodyBytes = 0;
  #tail = Buffer.alloc(0);
  #statusLine = '';
  #error: Error | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  static async login(endpoint: Endpoint, user: string, password: string): Promise<Pop3Client> {
    const client = new Pop3Client(await openSocket(endpoint));
    const greeting = await client.#expect(false);
    if (!greeting.ok) throw new Error(`POP3 greeting: ${greeting.line}`);
    await client.ok(`USER ${user}`);
    await client.ok(`PASS ${password}`);
    return client;
  }

  #fail(err: Error): void {
    this.#error ??= err;
    for (const p of this.#queue.splice(0)) p.reject(err);
  }

  #expect(multiline: boolean): Promise<{ ok: boolean; line: string; bytes: number }> {
    return new Promise((resolve, reject) => {
      if (this.#error) reject(this.#error);
      else this.#queue.push({ multiline, resolve, reject });
    });
  }

  send(command: string, multiline = false): Promise<{ ok: boolean; line: string; bytes: number }> {
    const reply = this.#expect(multiline);
    this.socket.write(`${command}\r\n`);
    return reply;
  }

  async ok(command: string, multiline = false): Promise<{ line: string; bytes: number }> {
    const reply = await this.send(command, multiline);
    if (!reply.ok) throw new Error(`${command.split(' ')[0]} failed: ${reply.line}`);
    return reply;
  }

  /** RETR of messages 1..count, `window` commands in flight; resolves with the body octets. */
  async retrieveAll(count: number, window = 32): Promise<number> {
    let bytes = 0;
    let next = 1;
    const inFlight: Promise<{ ok: boolean; line: string; bytes: number }>[] = [];
    while (next <= count || inFlight.length > 0) {
      let batch = '';
      while (next <= count && inFlight.length < window) {
        const reply = this.#expect(true);
        // A dropped connection rejects every reply in flight; the first one awaited reports
        // it, the rest must not end the run as unhandled rejections that hide the cause.
        reply.catch(() => undefined);
        inFlight.push(reply);
        batch += `RETR ${next++}\r\n`;
      }
      if (batch) this.socket.write(batch);
      const reply = await inFlight.shift()!;
      if (!reply.ok) throw new Error(`RETR failed: ${reply.line}`);
      bytes += reply.bytes;
    }
    return bytes;
  }

  close(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#inBody) {
        pos = this.#scanBody(chunk, pos);
        continue;
      }
      const lf = chunk.indexOf(10, pos);
      if (lf === -1) {
        this.#line.push(chunk.subarray(pos));
        return;
      }
      this.#line.push(chunk.subarray(pos, lf + 1));
      const line = Buffer.concat(this.#line)
        .toString('latin1')
        .replace(/\r?\n$/, '');
      this.#line = [];
      pos = lf + 1;
      const head = this.#queue[0];
      if (!head) continue;
      const ok = line.startsWith('+OK');
      if (ok && head.multiline) {
        this.#inBody = true;
        this.#bodyBytes = 0;
        this.#tail = Buffer.from('\r\n'); // the status line's end starts the terminator
        this.#statusLine = line;
      } else {
        this.#queue.shift()!.resolve({ ok, line, bytes: 0 });
      }
    }
  }

  /** Looks for CRLF.CRLF from `pos`; returns where scanning stopped. */
  #scanBody(chunk: Buffer, pos: number): number {
    // A terminator split across chunks: check the tail joined with this chunk's first bytes.
    const joined = Buffer.concat([this.#tail, chunk.subarray(pos, pos + 4)]);
    const split = joined.indexOf(END);
    let end = -1;
    if (split !== -1) end = pos + split + END.length - this.#tail.length;
    else {
      const at = chunk.indexOf(END, pos);
      if (at !== -1) end = at + END.length;
    }
    if (end === -1) {
      this.#bodyBytes += chunk.length - pos;
      const keep = Buffer.concat([this.#tail, chunk.subarray(pos)]);
      this.#tail = Buffer.from(keep.subarray(Math.max(0, keep.length - 4)));
      return chunk.length;
    }
    this.#bodyBytes += end - pos;
    this.#inBody = false;
    // Body octets as sent, without the final ".CRLF" (the CRLF before it ends the last line).
    const bytes = Math.max(0, this.#bodyBytes - 3);
    this.#queue.shift()!.resolve({ ok: true, line: this.#statusLine, bytes });
    return end;
  }
}
