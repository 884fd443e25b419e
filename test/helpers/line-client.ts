/**
 * A raw line-oriented client for transcript tests: send exact bytes, read exact lines.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

export class LineClient {
  readonly socket: Socket;
  #buffer = '';
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<LineClient> {
    const socket = connect(port, host);
    await once(socket, 'connect');
    return new LineClient(socket);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  async #waitFor(ready: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.#closed)
        throw new Error(`connection closed; unread: ${JSON.stringify(this.#buffer)}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out; unread: ${JSON.stringify(this.#buffer.slice(0, 500))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next line, without its CRLF. */
  async line(timeoutMs = 10_000): Promise<string> {
    await this.#waitFor(() => this.#buffer.includes('\r\n'), timeoutMs);
    const end = this.#buffer.indexOf('\r\n');
    const line = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 2);
    return line;
  }

  /** Lines up to and including the first one that matches. */
  async until(match: RegExp, timeoutMs = 10_000): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line(timeoutMs);
      lines.push(line);
      if (match.test(line)) return lines;
    }
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Sends a command line and returns the first response line. */
  async command(text: string): Promise<string> {
    this.send(`${text}\r\n`);
    return this.line();
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(timeoutMs = 10_000): Promise<void> {
    await this.#waitFor(() => this.#closed, timeoutMs).catch((err: unknown) => {
      if (!this.#closed) throw err;
    });
  }

  /** Bytes received and not yet read. */
  get pending(): string {
    return this.#buffer;
  }

  close(): void {
    this.socket.destroy();
  }
}
