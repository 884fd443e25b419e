/**
 * Bounds of the full-text index (issue 16). None of them changes an answer: past a bound the
 * index narrows less (or not at all) and the SEARCH matcher reads more messages.
 */

/** A message with a longer word is not indexed (it is always read when searched). */
export const MAX_TERM_CHARS = 128;
/**
 * A query fragment satisfied by more dictionary terms than this (in one segment) does not
 * narrow: uniting their postings would cost more than it saves (a one-letter fragment matches
 * most of the dictionary).
 */
export const MAX_TERMS_PER_FRAGMENT = 20_000;
/** Narrowing stops once this few messages are left in a segment (the matcher reads them). */
export const FEW_CANDIDATES = 32;
/** Messages the worker reads and tokenizes into one new segment. */
export const SEGMENT_BATCH_MESSAGES = 5_000;
/** A message file larger than this is not indexed (the matcher reads it when searched). */
export const MAX_INDEXED_FILE_BYTES = 8 * 1024 * 1024;
/** More segments than this in a folder are merged into one, in the worker. */
export const MAX_SEGMENTS = 8;
/** A segment file larger than this is not loaded (it is deleted and rebuilt). */
export const MAX_SEGMENT_FILE_BYTES = 2 * 1024 ** 3 - 1;
/** Postings ranges closer than this in the file are read with one read. */
export const POSTINGS_READ_GAP_BYTES = 16 * 1024;
/** One read of postings is at most this long (a longer single list is read alone). */
export const POSTINGS_READ_MAX_BYTES = 1024 * 1024;
/**
 * The index worker's JavaScript heap: a bound makes its garbage collector keep the heap small
 * instead of growing it while it reads thousands of messages (the process's peak memory). A
 * batch needs a few tens of MB; a job that runs out fails, and its messages are read by
 * searches.
 */
export const WORKER_HEAP_MB = 256;
export const WORKER_YOUNG_HEAP_MB = 16;
/** The index worker ends after this long without work (an idle server holds no thread). */
export const WORKER_IDLE_MS = 2_000;
/** How often a queued build looks again whether the header indexer has finished its work. */
export const BEHIND_HEADER_INDEXER_POLL_MS = 200;
/** The helper process's niceness (0 normal, 19 lowest): it yields the cores to the sessions. */
export const BUILD_NICENESS = 19;
