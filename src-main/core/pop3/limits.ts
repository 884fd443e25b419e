/** Every limit on POP3 input, in one place, each named with its unit. */

/** RFC 2449 §4 allows 255 octets per command; AUTH responses (RFC 5034 §4) may be longer. */
export const MAX_LINE_BYTES = 4096;
/** Bad or refused commands before the server gives up on the client. */
export const MAX_BAD_COMMANDS = 20;
/** Pipelined lines (RFC 2449 PIPELINING) buffered while a command runs; more pauses reading. */
export const MAX_QUEUED_LINES = 64;
/** RFC 1939 §3: the autologout timer is at least 10 minutes once logged in. */
export const MIN_IDLE_TIMEOUT_MS = 10 * 60_000;
/** RFC 1939 §3: a response, status indicator and CRLF included, is at most 512 octets. */
export const MAX_STATUS_LINE_BYTES = 512;
