/** Every limit on IMAP input, in one place, each named with its unit. */

/** One line of a command, not counting literals (Dovecot's imap_max_line_length is 64 KiB). */
export const MAX_LINE_BYTES = 64 * 1024;
/** Literals in commands other than APPEND once logged in (mailbox names, SEARCH strings). */
export const MAX_SMALL_LITERAL_BYTES = 1024 * 1024;
/** A whole command other than APPEND once logged in: every line and literal together. */
export const MAX_COMMAND_BYTES = 4 * 1024 * 1024;
/**
 * One APPEND carries at most this many largest messages' worth of octets (APPENDLIMIT each):
 * MULTIAPPEND (RFC 3502) batches, a client's offline Sent and Drafts, fit, and a session
 * never holds more than twice what a single APPEND may, since a command is read whole before
 * anything is stored (all or none, RFC 3502 §6.3.11).
 */
export const MAX_APPEND_COMMAND_MESSAGES = 2;
/** Before login, a literal carries a user name or a password at most (LOGIN). */
export const MAX_PREAUTH_LITERAL_BYTES = 8 * 1024;
/** Before login, a whole command: one full line and its small literals. */
export const MAX_PREAUTH_COMMAND_BYTES = MAX_LINE_BYTES + 2 * MAX_PREAUTH_LITERAL_BYTES;
/**
 * A continuation line (a SASL response, IDLE's DONE) is one line and never has literals
 * (RFC 3501 §6.2.2, RFC 2177 §3).
 */
export const MAX_CONTINUATION_BYTES = MAX_LINE_BYTES + 2;
/**
 * Octets of refused non-synchronising literals skipped in one command before the server
 * gives up and closes the connection instead.
 */
export const MAX_SKIPPED_LITERAL_BYTES = 8 * 1024 * 1024;
/** Client input read but not yet framed (a command is running); more pauses reading. */
export const MAX_BUFFERED_INPUT_BYTES = 256 * 1024;
/** Parenthesised lists inside lists (SEARCH, FETCH, STORE). */
export const MAX_NESTING_DEPTH = 32;
/** SEARCH keys inside keys: NOT, OR and parenthesised lists together (RFC 3501 §6.4.4). */
export const MAX_SEARCH_KEY_DEPTH = 64;
/** Tokens in one command. */
export const MAX_TOKENS = 100_000;
/** Bad commands before the server says BYE. */
export const MAX_BAD_COMMANDS = 20;
/** Characters of a command kept in the protocol log; the rest is replaced by a marker. */
export const MAX_LOGGED_COMMAND_CHARS = 1_000;
/** RFC 2177 §3: re-issue IDLE at least every 29 minutes; we send a keep-alive after 25. */
export const IDLE_KEEPALIVE_MS = 25 * 60_000;
/** Delay before a change notification is turned into untagged responses during IDLE. */
export const IDLE_NOTIFY_DELAY_MS = 50;
/**
 * A LIST/LSUB pattern (reference and mailbox together), in characters; a longer one gets BAD.
 * Well above the longest mailbox name a Maildir++ folder can hold, with room for wildcards.
 */
export const MAX_LIST_PATTERN_CHARS = 1024;
/** A mod-sequence argument (RFC 7162 §7: at most 2^63 - 1, 19 digits); longer is BAD. */
export const MAX_MODSEQ_DIGITS = 19;
/**
 * Message numbers (and as many UIDs) in SELECT's QRESYNC sequence match data, a client's
 * sample of its messages (RFC 7162 §3.2.5.2); more is BAD.
 */
export const MAX_SEQ_MATCH_NUMBERS = 10_000;
/**
 * Characters of a command tag. RFC 3501 §9 sets no bound, but every reply echoes the tag, so a
 * longer one is answered untagged (`* BAD`) instead of being copied back.
 */
export const MAX_TAG_CHARS = 64;
