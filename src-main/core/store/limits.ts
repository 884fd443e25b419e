/**
 * Limits of the store that clients can notice. Protocol input limits live in each protocol's
 * own `limits.ts`.
 */

/**
 * Expunged UIDs remembered per folder with the mod-sequence of their expunge, for QRESYNC
 * (RFC 7162 §3.2.5.2, `VANISHED (EARLIER)`). Past this many the oldest expunges are forgotten
 * and the folder's history floor rises to their mod-sequence: a client that last synced
 * below the floor is told every UID it may know that is not there (over-reporting, which
 * RFC 7162 §3.2.5.2 allows) instead of the exact list.
 */
export const MAX_REMEMBERED_EXPUNGES = 100_000;
