/**
 * Bounds on MIME structure, the same as Dovecot's message-parser defaults so that both servers
 * describe a hostile message alike. Past them a message still parses, in linear time:
 * - a multipart or message/rfc822 part at depth MAX_NESTED_MIME_PARTS - 1 (the root is depth 0)
 *   is not opened; BODYSTRUCTURE calls it application/octet-stream and its body is opaque;
 * - after MAX_TOTAL_MIME_PARTS parts no more boundaries are recognised.
 */
export const MAX_NESTED_MIME_PARTS = 100;
export const MAX_TOTAL_MIME_PARTS = 10_000;
/** Boundaries are cut to this many octets (RFC 2046 §5.1.1 allows 70; Dovecot keeps 80). */
export const MAX_BOUNDARY_OCTETS = 80;
