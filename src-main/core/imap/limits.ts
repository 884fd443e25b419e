/** Every limit on IMAP input, in one place, each named with its unit. */

/** One line of a command, not counting literals (Dovecot's imap_max_line_length is 64 KiB). */
export const MAX_LINE_BYTES = 64 * 1024;
/** Literals in commands other than APPEND (mailbox names, SEARCH strings, SASL). */
export const MAX_SMALL_LITERAL_BYTES = 1024 * 1024;
/** A non-synchronising literal larger than this closes the connection instead of being skipped. */
export const MAX_SKIPPED_LITERAL_BYTES = 8 * 1024 * 1024;
/** Parenthesised lists inside lists (SEARCH, FETCH, STORE). */
export const MAX_NESTING_DEPTH = 32;
/** Tokens in one command. */
export const MAX_TOKENS = 100_000;
/** Bad commands before the server says BYE. */
export const MAX_BAD_COMMANDS = 20;
/** Pipelined commands buffered while one runs; more pauses reading. */
export const MAX_QUEUED_COMMANDS = 64;
/** RFC 2177 §3: re-issue IDLE at least every 29 minutes; we send a keep-alive after 25. */
export const IDLE_KEEPALIVE_MS = 25 * 60_000;
/** Delay before a change notification is turned into untagged responses during IDLE. */
export const IDLE_NOTIFY_DELAY_MS = 50;
/**
 * A LIST/LSUB pattern (reference and mailbox together), in characters; a longer one gets BAD.
 * Well above the longest mailbox name a Maildir++ folder can hold, with room for wildcards.
 */
export const MAX_LIST_PATTERN_CHARS = 1024;
