/**
 * What every POP3 command module exports, and what it may use. Commands never see the socket:
 * they answer through `Pop3Context`.
 */
import type { Readable } from 'node:stream';
import type { LoginClient } from '../auth/login-result.js';
import type { Pop3State, Pop3StateKind, TransactionState } from './state.js';
import type { Pop3Services } from './services.js';
import type { WireBytes } from '../store/types.js';

export interface Pop3Context {
  readonly services: Pop3Services;
  readonly secure: boolean;
  readonly remoteAddress: string;
  readonly client: LoginClient;
  state: Pop3State;
  ok(text: string): void;
  err(text: string): void;
  /** `+OK <text>` then the lines, dot-stuffed, then ".". */
  multiline(text: string, lines: readonly string[]): void;
  /** `+OK <text>` then a stored message (read whole, or streamed) dot-stuffed, then ".". */
  sendMessage(text: string, body: Readable | WireBytes, maxBodyLines?: number): Promise<void>;
  /**
   * Asks the client for a SASL continuation line (`+ <challenge>`); resolves with its reply,
   * or undefined when that line was longer than MAX_LINE_BYTES (the rest of it is skipped).
   */
  continuation(challenge: string): Promise<string | undefined>;
  /** Counts a refused command toward the bad-command budget. */
  countBad(): void;
  /** Upgrades the connection to TLS after `+OK` (STLS); undefined when TLS is not available. */
  readonly startTls: (() => Promise<void>) | undefined;
  /** Ends the connection after the reply has been written. */
  close(): void;
}

export interface Pop3Command {
  readonly name: string;
  readonly states: readonly Pop3StateKind[];
  handle(ctx: Pop3Context, args: string): Promise<void> | void;
}

/** The transaction state, for commands registered only in it. */
export function transaction(ctx: Pop3Context): TransactionState {
  if (ctx.state.kind !== 'transaction') throw new Error('command dispatched outside TRANSACTION');
  return ctx.state;
}

/** Parses a message number argument; undefined if it is not one of this session's messages. */
export function messageNumber(
  state: TransactionState,
  text: string | undefined,
): number | undefined {
  if (!text || !/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= state.messages.length ? n : undefined;
}
