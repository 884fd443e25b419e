/**
 * One pino logger for the process, a child per component and per connection. Secrets never
 * reach it: protocol lines pass through `redactCommand` first, and known secret fields are
 * censored by pino's own redaction as a second guard.
 */
import type { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { DEFAULT_ROTATION, type RotationLimits } from './rotate.js';
import { RotatingFile } from './rotating-file.js';

export type { Logger };

export const REDACTED = '<redacted>';
/** An error's message in the log, in characters; the rest is cut (it may quote client input). */
export const MAX_LOGGED_MESSAGE_CHARS = 1000;
/** An error's stack in the log, in characters. */
export const MAX_LOGGED_STACK_CHARS = 4000;
/** Any other field of a logged error (errno, syscall, path…), in characters; 10 fields at most. */
const MAX_LOGGED_FIELD_CHARS = 200;
const MAX_LOGGED_FIELDS = 10;

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  /** A file to append JSON lines to, rotated by size; stderr when absent. */
  readonly file?: string;
  readonly rotation?: RotationLimits;
  /** Also keep recent lines in memory (the window's log view). */
  readonly ring?: Writable;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.file
    ? new RotatingFile(options.file, options.rotation ?? DEFAULT_ROTATION)
    : pino.destination(2);
  const level = options.level ?? 'info';
  const streamLevel = level === 'silent' ? 'fatal' : level;
  const streams = options.ring
    ? pino.multistream([
        { stream: destination, level: streamLevel },
        { stream: options.ring, level: streamLevel },
      ])
    : destination;
  return pino(
    {
      level,
      base: { app: 'mailport' },
      serializers: { err: boundedError },
      redact: {
        paths: ['password', 'passwordHash', '*.password', '*.passwordHash', 'key'],
        censor: REDACTED,
      },
    },
    streams,
  );
}

/**
 * pino's error serializer with every field cut to size, so one failure is one line of bounded
 * length whatever the error carries (a client's mailbox name, a huge message).
 */
export function boundedError(err: unknown): unknown {
  const full = pino.stdSerializers.err(err as Error) as unknown;
  if (typeof full !== 'object' || full === null) return clip(full, MAX_LOGGED_MESSAGE_CHARS);
  const { type, message, stack, ...rest } = full as Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: clip(type, MAX_LOGGED_FIELD_CHARS),
    message: clip(message, MAX_LOGGED_MESSAGE_CHARS),
    stack: clip(stack, MAX_LOGGED_STACK_CHARS),
  };
  for (const [key, value] of Object.entries(rest).slice(0, MAX_LOGGED_FIELDS)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      out[key.slice(0, MAX_LOGGED_FIELD_CHARS)] = clip(value, MAX_LOGGED_FIELD_CHARS);
  }
  return out;
}

function clip(value: unknown, max: number): unknown {
  if (typeof value !== 'string' || value.length <= max) return value;
  return `${value.slice(0, max)}… (${value.length - max} more characters)`;
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The protocol-log form of a client line: credentials replaced by a fixed placeholder
 * (`PASS`, `AUTH` payloads, IMAP `LOGIN`/`AUTHENTICATE` and SASL continuation lines).
 */
export function redactCommand(line: string, expectingSasl = false): string {
  if (expectingSasl) return REDACTED;
  const pop3 = /^(PASS|AUTH\s+\S+)\s.*/i.exec(line);
  if (pop3) return `${pop3[1]} ${REDACTED}`;
  const imap = /^(\S+\s+(?:UID\s+)?(?:LOGIN\s+\S+|AUTHENTICATE\s+\S+))\s.*/i.exec(line);
  if (imap) return `${imap[1]} ${REDACTED}`;
  return line;
}
