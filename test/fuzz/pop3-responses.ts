/**
 * The invalid-response oracle for POP3 (RFC 1939 §3, RFC 2449 §4): status lines `+OK`/`-ERR`
 * (or a SASL `+ ` challenge, RFC 5034) of at most 512 octets with CRLF, printable only; a
 * multi-line answer where the command calls for one, dot-stuffed and ended by "." alone.
 */
import type { ResponseProblem } from './imap-responses.js';

/** RFC 2449 §4: a response line is at most 512 octets, CRLF included. */
const MAX_STATUS_LINE_BYTES = 512;

export interface Pop3Expectation {
  /** Whether a +OK to this command carries a multi-line body. */
  readonly multiline: boolean;
}

export interface Pop3Status {
  readonly kind: '+OK' | '-ERR' | '+';
  readonly line: string;
}

export class Pop3ResponseReader {
  #buffer: Buffer = Buffer.alloc(0);
  #inBody = false;
  readonly #expected: Pop3Expectation[] = [];

  expect(e: Pop3Expectation): void {
    this.#expected.push(e);
  }

  push(chunk: Buffer): { statuses: Pop3Status[]; problems: ResponseProblem[] } {
    const statuses: Pop3Status[] = [];
    const problems: ResponseProblem[] = [];
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    for (let end = this.#buffer.indexOf('\r\n'); end !== -1; end = this.#buffer.indexOf('\r\n')) {
      const piece = this.#buffer.subarray(0, end);
      this.#buffer = this.#buffer.subarray(end + 2);
      const line = piece.toString('latin1');
      if (this.#inBody) {
        if (line === '.') this.#inBody = false;
        else if (line.startsWith('.') && !line.startsWith('..'))
          problems.push({
            kind: 'invalid',
            message: 'a body line starting with "." not dot-stuffed',
            line,
          });
        else if (piece.includes(0x0a))
          problems.push({ kind: 'invalid', message: 'bare LF in a multi-line answer', line });
        continue;
      }
      const status = this.#status(line, piece.length + 2, problems);
      if (!status) continue;
      statuses.push(status);
      // A "+ " challenge answers the AUTH line; the client's reply line then gets the status.
      const expectation = this.#expected.shift();
      if (status.kind === '+') continue;
      if (status.kind === '+OK' && expectation?.multiline) this.#inBody = true;
    }
    return { statuses, problems };
  }

  #status(line: string, bytes: number, problems: ResponseProblem[]): Pop3Status | undefined {
    const fail = (message: string): undefined => {
      problems.push({ kind: 'invalid', message, line });
      return undefined;
    };
    if (bytes > MAX_STATUS_LINE_BYTES)
      fail(`status line of ${bytes} octets (RFC 2449 §4: at most 512)`);
    if (/[^\x20-\x7e]/.test(line)) fail('control or 8-bit byte in a status line');
    if (line === '+OK' || line.startsWith('+OK ')) return { kind: '+OK', line };
    if (line === '-ERR' || line.startsWith('-ERR ')) {
      if (/\[SYS\/TEMP\] Internal error/i.test(line))
        problems.push({ kind: 'serverbug', message: 'internal error', line });
      return { kind: '-ERR', line };
    }
    if (line === '+' || line.startsWith('+ ')) return { kind: '+', line };
    return fail('not a POP3 status line');
  }
}
