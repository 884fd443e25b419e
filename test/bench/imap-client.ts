/**
 * A lean IMAP client for the benchmark: raw socket, commands sent as written, responses framed
 * (lines and `{n}` literals) without parsing their contents. Literal bytes are counted and
 * skipped in place, never copied, so a full download costs the client one pass over each
 * chunk. Untagged lines are counted, and kept only when asked.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface Endpoint {
  readonly port: number;
  /** Implicit TLS with this CA (the certificate's names are not checked: loopback). */
  readonly tlsCa?: string;
}

export interface ImapResponse {
  readonly status: string;
  readonly text: string;
  /** Untagged responses seen while the command ran. */
  readonly untaggedCount: number;
  /** Their first lines, when `keep` was asked. */
  readonly untagged: string[];
  /** Octets of literals received while the command ran. */
  readonly literalBytes: number;
}

interface Waiter {
  readonly tag: string;
  readonly keep: boolean;
  readonly untagged: string[];
  count: number;
  literalBytes: number;
  resolve(r: ImapResponse): void;
  reject(e: Error): void;
}

const EMPTY = Buffer.alloc(0);

export function openSocket(endpoint: Endpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = endpoint.tlsCa
      ? tlsConnect({
          host: '127.0.0.1',
          port: endpoint.port,
          ca: endpoint.tlsCa,
          checkServerIdentity: () => undefined,
        })
      : netConnect({ host: '127.0.0.1', port: endpoint.port });
    socket.setNoDelay(true);
    socket.once(endpoint.tlsCa ? 'secureConnect' : 'connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

export class ImapClient {
  readonly socket: Socket;
  #pending: Buffer = EMPTY;
  #literalLeft = 0;
  #pieces: string[] = [];
  #tags = 0;
  #waiter: Waiter | undefined;
  #greeting: ((line: string) => void) | undefined;
  #continuation: ((line: string) => void) | undefined;
  #closedError: Error | undefined;
  /** Called for each untagged response (its first line), e.g. to see EXISTS during IDLE. */
  onUntagged: ((line: string) => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  /** Connects and waits for the greeting. */
  static async connect(endpoint: Endpoint): Promise<ImapClient> {
    const client = new ImapClient(await openSocket(endpoint));
    const greeting = await new Promise<string>((resolve) => (client.#greeting = resolve));
    if (!greeting.startsWith('* OK')) throw new Error(`unexpected greeting: ${greeting}`);
    return client;
  }

  static async login(endpoint: Endpoint, user: string, password: string): Promise<ImapClient> {
    const client = await ImapClient.connect(endpoint);
    await client.ok(`LOGIN ${quote(user)} ${quote(password)}`);
    return client;
  }

  #fail(err: Error): void {
    this.#closedError ??= err;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(err);
  }

  command(text: string, keep = false): Promise<ImapResponse> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    if (this.#waiter) return Promise.reject(new Error('one command at a time'));
    const tag = `b${++this.#tags}`;
    return new Promise((resolve, reject) => {
      this.#waiter = { tag, keep, untagged: [], count: 0, literalBytes: 0, resolve, reject };
      this.socket.write(`${tag} ${text}\r\n`);
    });
  }

  /** Runs a command and throws unless it ends in OK. */
  async ok(text: string, keep = false): Promise<ImapResponse> {
    const response = await this.command(text, keep);
    if (response.status !== 'OK')
      throw new Error(`${text.split(' ')[0]} failed: ${response.status} ${response.text}`);
    return response;
  }

  /** IDLE: resolves once the server's "+" arrives; `done()` ends it. */
  async idle(): Promise<{ done: () => Promise<ImapResponse> }> {
    const continued = new Promise<string>((resolve) => (this.#continuation = resolve));
    const finished = this.command('IDLE');
    await Promise.race([continued, finished]);
    return {
      done: () => {
        this.socket.write('DONE\r\n');
        return finished;
      },
    };
  }

  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT');
    } catch {
      // the server may close first
    }
    this.socket.destroy();
  }

  close(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#literalLeft > 0) {
        const take = Math.min(this.#literalLeft, chunk.length - pos);
        this.#literalLeft -= take;
        if (this.#waiter) this.#waiter.literalBytes += take;
        pos += take;
        continue;
      }
      const lf = chunk.indexOf(10, pos);
      if (lf === -1) {
        this.#pending = Buffer.concat([this.#pending, chunk.subarray(pos)]);
        return;
      }
      let line = chunk.subarray(pos, lf + 1);
      if (this.#pending.length > 0) {
        line = Buffer.concat([this.#pending, line]);
        this.#pending = EMPTY;
      }
      pos = lf + 1;
      this.#onLine(line);
    }
  }

  #onLine(line: Buffer): void {
    const end = line.length - (line[line.length - 2] === 13 ? 2 : 1);
    if (line[end - 1] === 0x7d) {
      // "...{123}" (or "{123+}"): a literal follows and the response goes on after it.
      const open = line.lastIndexOf(0x7b, end);
      if (open !== -1) {
        const n = Number(line.toString('latin1', open + 1, end - 1).replace('+', ''));
        if (Number.isInteger(n)) {
          if (this.#pieces.length === 0 || this.#waiter?.keep || this.onUntagged)
            this.#pieces.push(line.toString('latin1', 0, end));
          else this.#pieces.push('');
          this.#literalLeft = n;
          return;
        }
      }
    }
    const first = this.#pieces.length === 0;
    const text = line.toString('latin1', 0, end);
    const pieces = this.#pieces;
    this.#pieces = [];
    this.#onResponse(first ? text : pieces[0]!, first ? text : pieces.join('') + text);
  }

  #onResponse(start: string, whole: string): void {
    if (this.#greeting) {
      const greet = this.#greeting;
      this.#greeting = undefined;
      greet(whole);
      return;
    }
    if (start.startsWith('+')) {
      const cont = this.#continuation;
      this.#continuation = undefined;
      cont?.(whole);
      return;
    }
    const waiter = this.#waiter;
    if (start.startsWith('* ')) {
      this.onUntagged?.(start);
      if (waiter) {
        waiter.count += 1;
        if (waiter.keep) waiter.untagged.push(whole);
      }
      return;
    }
    if (waiter && start.startsWith(`${waiter.tag} `)) {
      this.#waiter = undefined;
      const rest = start.slice(waiter.tag.length + 1);
      const space = rest.indexOf(' ');
      waiter.resolve({
        status: space === -1 ? rest : rest.slice(0, space),
        text: space === -1 ? '' : rest.slice(space + 1),
        untaggedCount: waiter.count,
        untagged: waiter.untagged,
        literalBytes: waiter.literalBytes,
      });
    }
  }
}

export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
