/**
 * Small builders for response text (RFC 3501 §7). Handlers return these pieces; the session
 * writes them. Strings are latin1 "bytes"; literals carry Buffers or streams.
 */
import type { Readable } from 'node:stream';

/** A piece of output: text, bytes, or a stream of a known length (message bodies). */
export type OutputPart = string | Buffer | { readonly stream: Readable; readonly length: number };

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
