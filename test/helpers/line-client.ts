/**
 * A raw line-oriented client for transcript tests: send exact bytes, read exact lines.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
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

  static async connect(
    port: number,
    host = '127.0.0.1',
    localAddress?: string,
  ): Promise<LineClient> {
    const socket = connect({ port, host, ...(localAddress && { localAddress }) });
    await once(socket, 'connect');
    return new LineClient(socket);
  }

  /** Implicit TLS; rejects when the certificate does not verify. */
  static async connectTls(port: number, options: ConnectionOptions): Promise<LineClient> {
    const socket = tlsConnect({ port, host: '127.0.0.1', ...options });
    await once(socket, 'secureConnect');
    return new LineClient(socket as unknown as Socket);
  }

  /** STARTTLS/STLS: hands the socket to TLS. Bytes the server sent before are returned. */
  async upgrade(options: ConnectionOptions): Promise<{ client: LineClient; leftover: string }> {
    this.socket.removeAllListeners('data');
    const leftover = this.#buffer;
    const secured: TLSSocket = tlsConnect({ socket: this.socket, ...options });
    await once(secured, 'secureConnect');
    return { client: new LineClient(secured as unknown as Socket), leftover };
  }

  get peerCertificate(): { fingerprint256: string } | undefined {
    const socket = this.socket as unknown as TLSSocket;
    return typeof socket.getPeerCertificate === 'function'
      ? socket.getPeerCertificate()
      : undefined;
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

  /** Exactly `n` bytes (an IMAP literal's content). */
  async bytes(n: number, timeoutMs = 10_000): Promise<string> {
    await this.#waitFor(() => this.#buffer.length >= n, timeoutMs);
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.slice(n);
    return out;
  }

  /** One IMAP response line with any literals inlined (`{n}\r\n<bytes>` kept as written). */
  async imapLine(timeoutMs = 10_000): Promise<string> {
    let line = await this.line(timeoutMs);
    for (let m = /\{(\d+)\}$/.exec(line); m; m = /\{(\d+)\}$/.exec(line)) {
      line += '\r\n' + (await this.bytes(Number(m[1]), timeoutMs)) + (await this.line(timeoutMs));
    }
    return line;
  }

  /** Sends `<tag> <command>` and collects the untagged lines and the tagged reply. */
  async imap(
    tag: string,
    command: string,
    timeoutMs = 10_000,
  ): Promise<{ untagged: string[]; tagged: string }> {
    this.send(`${tag} ${command}\r\n`);
    return this.imapUntil(tag, timeoutMs);
  }

  async imapUntil(
    tag: string,
    timeoutMs = 10_000,
  ): Promise<{ untagged: string[]; tagged: string }> {
    const untagged: string[] = [];
    for (;;) {
      const line = await this.imapLine(timeoutMs);
      if (line.startsWith(`${tag} `)) return { untagged, tagged: line };
      untagged.push(line);
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
