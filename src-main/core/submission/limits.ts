/**
 * Every limit of message submission, with its unit. The message size comes from the settings
 * (`limits.maxMessageBytes`, shared with IMAP APPEND); the rest are fixed here.
 */

/** RFC 5321 §4.5.3.1.8 asks a server to accept at least 100 recipients. */
export const MAX_RECIPIENTS = 100;

/**
 * Idle time allowed inside a session (RFC 5321 §4.5.3.2.7 asks a server to wait at least five
 * minutes for the next command). Before sign-in the absolute `limits.preauthTimeoutSeconds`
 * deadline applies as well, as for IMAP and POP3.
 */
export const SESSION_IDLE_TIMEOUT_MS = 5 * 60_000;

/** Commands a client may get wrong before it is disconnected (smtp-server's own counter). */
export const MAX_BAD_COMMANDS = 10;

/**
 * Retries after a temporary failure (the relay down, a 4xx): the first after
 * RELAY_RETRY_FIRST_MS, each next one twice as late, never more than RELAY_RETRY_MAX_MS apart,
 * RELAY_MAX_ATTEMPTS in all (about four days with the defaults). Then the message bounces.
 * `MAILPORT_RELAY_RETRY_MS` shortens the first wait (tests).
 */
export const RELAY_RETRY_FIRST_MS = Number(process.env.MAILPORT_RELAY_RETRY_MS) || 60_000;
export const RELAY_RETRY_MAX_MS = 6 * 60 * 60_000;
export const RELAY_MAX_ATTEMPTS = 25;

/** One relay conversation, from connecting to the answer after the data. */
export const RELAY_CONNECTION_TIMEOUT_MS = 30_000;
export const RELAY_SOCKET_TIMEOUT_MS = 120_000;

/** How long stopping waits for a relay attempt under way before it goes on without it. */
export const DELIVERY_STOP_WAIT_MS = 10_000;

/** How much of the original message a bounce quotes: its header, never the body. */
export const BOUNCE_MAX_HEADER_BYTES = 64 * 1024;

/** The wait before attempt `n + 1` after `n` failed attempts (n ≥ 1). */
export function retryDelayMs(failedAttempts: number): number {
  const doubled = RELAY_RETRY_FIRST_MS * 2 ** Math.min(failedAttempts - 1, 30);
  return Math.min(doubled, RELAY_RETRY_MAX_MS);
}
