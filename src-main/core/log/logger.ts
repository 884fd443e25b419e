/**
 * One pino logger for the process, a child per component and per connection. Secrets never
 * reach it: protocol lines pass through `redactCommand` first, and known secret fields are
 * censored by pino's own redaction as a second guard.
 */
import type { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const REDACTED = '<redacted>';

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  /** A file to append JSON lines to; stderr when absent. */
  readonly file?: string;
  /** Also keep recent lines in memory (the window's log view). */
  readonly ring?: Writable;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.file
    ? pino.destination({ dest: options.file, mkdir: true, sync: false })
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
      redact: {
        paths: ['password', 'passwordHash', '*.password', '*.passwordHash', 'key'],
        censor: REDACTED,
      },
    },
    streams,
  );
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
