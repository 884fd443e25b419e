/**
 * The client's model of IMAP framing (RFC 3501 §4.3, RFC 7888), mirroring the limits in
 * `src-main/core/imap/limits.ts`: bytes → the commands the server will read, each with the
 * points where a well-behaved client waits for a "+" before sending on. A mutated input that
 * stops in the middle of a line or a literal is completed, so the session never waits on the
 * client.
 */
import {
  MAX_LINE_BYTES,
  MAX_SKIPPED_LITERAL_BYTES,
  MAX_SMALL_LITERAL_BYTES,
} from '../../src-main/core/imap/limits.js';

/** The fuzz server's APPEND limit equals the small-literal limit (see `fuzz-server.ts`). */
export const FUZZ_LITERAL_LIMIT_BYTES = MAX_SMALL_LITERAL_BYTES;
/** Literal bytes the fuzzer is willing to pad an incomplete input with. */
const MAX_PADDING_BYTES = 2 * 1024 * 1024;
const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}$/;

export interface ImapUnit {
  readonly bytes: Buffer;
  /** The first token of the first line, as the client sees its tag. */
  readonly tag: string;
  /** Offsets in `bytes` after which a synchronising literal waits for "+". */
  readonly syncPoints: readonly number[];
  /** The announced size of the literal at each sync point. */
  readonly syncSizes: readonly number[];
  /** The server closes the connection on this one (a huge non-synchronising literal). */
  readonly fatal: boolean;
}

interface Framed {
  readonly units: ImapUnit[];
  /** Bytes needed to complete the input; undefined when it is complete. */
  readonly missing?: Buffer;
}

function tagOf(bytes: Buffer): string {
  const line = bytes.subarray(0, 200).toString('latin1');
  return line.split(/[ \r\n]/, 1)[0] ?? '';
}

/** A line's text without its CR LF (or bare LF). */
function lineText(data: Buffer, from: number, lineEnd: number): string {
  const raw = data.subarray(from, lineEnd).toString('latin1');
  return raw.endsWith('\r\n') ? raw.slice(0, -2) : raw.slice(0, -1);
}

function frameOnce(data: Buffer): Framed {
  const units: ImapUnit[] = [];
  let start = 0;
  let pos = 0;
  let syncPoints: number[] = [];
  let syncSizes: number[] = [];
  /**
   * Octets of non-synchronising literals skipped in the refused command being read, or
   * undefined while the command is not refused. Once the server has answered a command (BAD
   * for an overlong line or a literal too large) it skips the rest of it without replying
   * again, as `command-reader.ts` does: a skipped line ending with a non-synchronising literal
   * drags that literal and the next line into the same command; one ending with a
   * synchronising literal ends it, with no "+" to wait for (RFC 3501 §7.5: the tagged reply
   * replaces the "+", and the client abandons the command).
   */
  let skipped: number | undefined;
  const finish = (end: number, fatal = false): void => {
    const bytes = data.subarray(start, end);
    const points = syncPoints.map((p) => p - start);
    units.push({ bytes, tag: tagOf(bytes), syncPoints: points, syncSizes, fatal });
    start = end;
    syncPoints = [];
    syncSizes = [];
    skipped = undefined;
  };
  /** After a refusal at `pos`: skips a non-synchronising literal of `size`, or ends the command. */
  const skipLiteral = (size: number, sync: boolean, before: number): Framed | undefined => {
    if (sync) {
      finish(pos);
      return undefined;
    }
    const total = before + size;
    if (total > MAX_SKIPPED_LITERAL_BYTES) {
      finish(pos, true);
      return { units };
    }
    if (data.length - pos < size) return { units, missing: padding(size - (data.length - pos)) };
    pos += size;
    skipped = total;
    return undefined;
  };
  while (pos < data.length) {
    const nl = data.indexOf(0x0a, pos);
    if (nl === -1) return { units, missing: Buffer.from('\r\n') };
    const lineEnd = nl + 1;
    const text = lineText(data, pos, lineEnd);
    const overlong = skipped === undefined && lineEnd - pos > MAX_LINE_BYTES + 2;
    const literal = LITERAL_AT_END.exec(text);
    pos = lineEnd;
    if (overlong || skipped !== undefined) {
      // Refused (an overlong line is answered BAD) or already refused: skipped to its end.
      if (!literal) {
        finish(pos);
        continue;
      }
      const done = skipLiteral(Number(literal[1]), literal[2] !== '+', skipped ?? 0);
      if (done) return done;
      continue;
    }
    if (!literal) {
      finish(pos);
      continue;
    }
    const size = Number(literal[1]);
    const sync = literal[2] !== '+';
    if (sync) syncPoints.push(pos);
    if (sync) syncSizes.push(size);
    if (size > FUZZ_LITERAL_LIMIT_BYTES) {
      // Refused instead of "+" (the client abandons the command), or skipped unread.
      const done = skipLiteral(size, sync, 0);
      if (done) return done;
      continue;
    }
    if (data.length - pos < size) return { units, missing: padding(size - (data.length - pos)) };
    pos += size;
  }
  if (start < data.length) return { units, missing: Buffer.from('\r\n') };
  return { units };
}

function padding(n: number): Buffer | undefined {
  return n > MAX_PADDING_BYTES
    ? undefined
    : Buffer.concat([Buffer.alloc(n, 0x78), Buffer.from('\r\n')]);
}

/**
 * Frames `data`, completing it when it ends inside a line or literal. Undefined when the
 * completion would be unreasonably large (the caller generates another input).
 */
export function frameImap(data: Buffer): ImapUnit[] | undefined {
  let input = data;
  for (let round = 0; round < 4; round++) {
    const framed = frameOnce(input);
    if (!('missing' in framed)) return framed.units;
    if (framed.missing === undefined) return undefined;
    input = Buffer.concat([input, framed.missing]);
  }
  return undefined;
}

/** Inputs that must go one command at a time: a "+" is involved, or the session changes. */
export function needsTurns(units: readonly ImapUnit[]): boolean {
  return units.some(
    (u) =>
      u.syncPoints.length > 0 ||
      u.fatal ||
      /AUTHENTICATE|IDLE|STARTTLS/i.test(u.bytes.subarray(0, 300).toString('latin1')),
  );
}
