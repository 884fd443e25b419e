/**
 * `Mailbox.matchFiles` for a Maildir folder: the messages' files go to the indexer's threads
 * in contiguous slices of at most MATCH_BATCH_MESSAGES, as many at a time as it has threads,
 * so a SEARCH that reads every file keeps both cores busy and the event loop free. A message
 * the folder no longer knows, a file a thread could not read (renamed or expunged meanwhile),
 * and a slice whose job failed are answered as unread: the caller reads those itself.
 */
import type { BackgroundIndexer, FileMatches, FileTask } from '../types.js';

/** Messages per job: large enough that a thread round trip is a small part of it. */
const MATCH_BATCH_MESSAGES = 128;

export function matchFiles(
  indexer: BackgroundIndexer | undefined,
  uids: readonly number[],
  task: FileTask,
  pathOf: (uid: number) => string | undefined,
): Promise<FileMatches> | undefined {
  if (!indexer?.available) return undefined;
  // A short list is still shared by every thread.
  const size = Math.min(MATCH_BATCH_MESSAGES, Math.ceil(uids.length / indexer.concurrency));
  const slices: number[][] = [];
  for (let i = 0; i < uids.length; i += size) slices.push(uids.slice(i, i + size));
  return matchSlices(indexer, slices, task, pathOf);
}

async function matchSlices(
  indexer: BackgroundIndexer,
  slices: readonly number[][],
  task: FileTask,
  pathOf: (uid: number) => string | undefined,
): Promise<FileMatches> {
  const matched: number[] = [];
  const unread: number[] = [];
  let next = 0;
  const thread = async (): Promise<void> => {
    while (next < slices.length) {
      const slice = slices[next++]!;
      // Paths are looked up as the slice is sent: a file renamed since the search began is
      // found under its name of now.
      const known: number[] = [];
      const paths: string[] = [];
      for (const uid of slice) {
        const path = pathOf(uid);
        if (path === undefined) {
          unread.push(uid);
        } else {
          known.push(uid);
          paths.push(path);
        }
      }
      try {
        const found = await indexer.match(paths, task);
        for (const i of found.matched) matched.push(known[i]!);
        for (const i of found.unread) unread.push(known[i]!);
      } catch {
        unread.push(...known); // the threads stopped (service stopping): read here
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(indexer.concurrency, slices.length) }, thread));
  return { matched, unread };
}
