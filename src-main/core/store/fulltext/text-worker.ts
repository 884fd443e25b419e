/**
 * The full-text index's worker process (started by text-builder.ts): builds, merges and opens
 * segments, so reading, tokenizing and checksumming mail never runs on the sessions' event
 * loop nor in their process's memory. The parts a reader keeps go back as typed arrays (the
 * IPC channel's advanced serialization); the process exits when its channel closes.
 */
import { runTextJob, type TextJob, type TextResult } from './text-jobs.js';

export interface TextReply {
  readonly id: number;
  readonly result?: TextResult;
  readonly error?: string;
}

process.on('message', ({ id, job }: { id: number; job: TextJob }) => {
  let reply: TextReply;
  try {
    reply = { id, result: runTextJob(job) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  process.send!(reply);
});
process.on('disconnect', () => process.exit(0));
