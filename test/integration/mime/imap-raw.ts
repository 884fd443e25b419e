/**
 * A tiny raw-socket IMAP client for the differential tests: it keeps the server's exact
 * bytes (as latin1 strings), reads literals by their announced length, and splits FETCH
 * responses into items without interpreting them.
 */
import { connect, type Socket } from 'node:net';

export class RawImap {
  #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.#closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async connect(port: number): Promise<RawImap> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawImap(socket);
    await client.#response();
    return client;
  }

  async #more(): Promise<void> {
    if (this.#closed) throw new Error('connection closed');
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** One response: a line plus any literals it announces, as a latin1 string. */
  async #response(): Promise<string> {
    let pos = 0;
    for (;;) {
      const lf = this.#buffer.indexOf(0x0a, pos);
      if (lf === -1) {
        await this.#more();
        continue;
      }
      const m = /\{(\d+)\}\r$/.exec(this.#buffer.toString('latin1', Math.max(pos, lf - 30), lf));
      if (!m) {
        const text = this.#buffer.toString('latin1', 0, lf + 1);
        this.#buffer = this.#buffer.subarray(lf + 1);
        return text;
      }
      const need = lf + 1 + Number(m[1]);
      while (this.#buffer.length < need) await this.#more();
      pos = need;
    }
  }

  /** Sends `tag command` and returns the untagged responses and the tagged line. */
  async command(tag: string, command: string): Promise<{ untagged: string[]; tagged: string }> {
    this.#socket.write(`${tag} ${command}\r\n`);
    const untagged: string[] = [];
    for (;;) {
      const r = await this.#response();
      if (r.startsWith(`${tag} `)) return { untagged, tagged: r };
      untagged.push(r);
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** `* n FETCH (NAME value NAME value …)\r\n` → [NAME, value] pairs, values verbatim. */
export function fetchItems(response: string): Map<string, string> {
  const m = /^\* \d+ FETCH \(/.exec(response);
  if (!m) throw new Error(`not a FETCH response: ${response.slice(0, 80)}`);
  const items = new Map<string, string>();
  let pos = m[0].length;
  while (pos < response.length && response[pos] !== ')') {
    const nameEnd = itemNameEnd(response, pos);
    const name = response.slice(pos, nameEnd);
    const valueEnd = skipValue(response, nameEnd + 1);
    items.set(name, response.slice(nameEnd + 1, valueEnd));
    pos = response[valueEnd] === ' ' ? valueEnd + 1 : valueEnd;
  }
  return items;
}

function itemNameEnd(s: string, pos: number): number {
  let depth = 0;
  for (let i = pos; i < s.length; i++) {
    if (s[i] === '[') depth++;
    else if (s[i] === ']') depth--;
    else if (s[i] === ' ' && depth === 0) return i;
  }
  return s.length;
}

/** End of one IMAP value (atom, quoted string, literal or parenthesised list). */
export function skipValue(s: string, pos: number): number {
  if (s[pos] === '"') {
    for (let i = pos + 1; i < s.length; i++) {
      if (s[i] === '\\') i++;
      else if (s[i] === '"') return i + 1;
    }
    return s.length;
  }
  if (s[pos] === '{') {
    const close = s.indexOf('}', pos);
    return close + 3 + Number(s.slice(pos + 1, close));
  }
  if (s[pos] === '(') {
    let i = pos + 1;
    while (i < s.length && s[i] !== ')') {
      i = skipValue(s, i);
      if (s[i] === ' ') i++;
    }
    return i + 1;
  }
  let i = pos;
  while (i < s.length && !' )\r'.includes(s[i]!)) i++;
  return i;
}
