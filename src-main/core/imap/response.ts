/**
 * Small builders for response text (RFC 3501 §7). Handlers return these pieces; the session
 * writes them. Strings are latin1 "bytes"; literals carry Buffers or streams.
 */
import type { Readable } from 'node:stream';

/**
 * A piece of output: protocol text, bytes, a message's text as latin1 (sent as it is and
 * never written to the protocol log), or a stream of a known length (large message bodies).
 */
export type OutputPart = string | Buffer | MessageText | StreamPart;

export interface MessageText {
  readonly latin1: string;
}

export interface StreamPart {
  readonly stream: Readable;
  readonly length: number;
}

/** Parts written straight away (everything but streams). */
export function isBytes(part: OutputPart | undefined): part is string | Buffer | MessageText {
  return typeof part === 'string' || Buffer.isBuffer(part) || (!!part && 'latin1' in part);
}

/** Octets a written part carries. */
export function byteLength(part: string | Buffer | MessageText): number {
  return typeof part === 'string' || Buffer.isBuffer(part) ? part.length : part.latin1.length;
}

export type Status = 'OK' | 'NO' | 'BAD';

export interface CommandResult {
  readonly status: Status;
  /** A response code without brackets, e.g. `TRYCREATE` or `APPENDUID 1 5`. */
  readonly code?: string;
  readonly text: string;
}

export const ok = (text: string, code?: string): CommandResult => ({
  status: 'OK',
  text,
  ...(code && { code }),
});
export const no = (text: string, code?: string): CommandResult => ({
  status: 'NO',
  text,
  ...(code && { code }),
});
export const bad = (text: string, code?: string): CommandResult => ({
  status: 'BAD',
  text,
  ...(code && { code }),
});

/** `(\Seen \Answered)` */
export function flagList(flags: Iterable<string>): string {
  return `(${[...flags].join(' ')})`;
}
