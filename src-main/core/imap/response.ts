/**
 * Small builders for response text (RFC 3501 §7). Handlers return these pieces; the session
 * writes them. Strings are latin1 "bytes"; literals carry Buffers or streams.
 */
import type { Readable } from 'node:stream';
import type { WireBytes } from '../store/types.js';

/**
 * A piece of output: protocol text, bytes, a message's bytes in reusable memory (released
 * once written, never written to the protocol log), or a stream of a known length (large
 * message bodies).
 */
export type OutputPart = string | Buffer | WireBytes | StreamPart;

export interface StreamPart {
  readonly stream: Readable;
  readonly length: number;
}

/** Parts written straight away (everything but streams). */
export function isBytes(part: OutputPart | undefined): part is string | Buffer | WireBytes {
  return typeof part === 'string' || Buffer.isBuffer(part) || (!!part && 'release' in part);
}

/** Octets a written part carries. */
export function byteLength(part: string | Buffer | WireBytes): number {
  return typeof part === 'string' || Buffer.isBuffer(part) ? part.length : part.bytes.length;
}

/** Gives back what a part holds when it will not be written: streams closed, memory released. */
export function discardPart(part: OutputPart): void {
  if (typeof part === 'string' || Buffer.isBuffer(part)) return;
  if ('release' in part) part.release();
  else part.stream.destroy();
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
