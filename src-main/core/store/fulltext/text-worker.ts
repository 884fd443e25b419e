/**
 * The full-text index's worker process (started by text-builder.ts): builds, merges and opens
 * segments, so reading, tokenizing and checksumming mail never runs on the sessions' event
 * loop nor in their process's memory. The parts a reader keeps go back as typed arrays (the
 * IPC channel's advanced serialization); the process exits when its channel closes.
 */
import { rmSync } from 'node:fs';
import { buildSegment, mergeSegments, type BuildItem } from './segment-build.js';
import { loadSegment } from './segment-reader.js';
import type { SegmentParts } from './segment-writer.js';

export type TextJob =
  | {
      readonly kind: 'build';
      readonly file: string;
      readonly uidValidity: number;
      readonly items: BuildItem[];
    }
  | { readonly kind: 'merge'; readonly file: string; readonly inputs: string[] }
  | { readonly kind: 'open'; readonly file: string };

export type TextResult =
  { readonly parts: SegmentParts } | { readonly empty: true } | { readonly damaged: string[] };

export interface TextReply {
  readonly id: number;
  readonly result?: TextResult;
  readonly error?: string;
}

function run(job: TextJob): TextResult {
  switch (job.kind) {
    case 'build': {
      const parts = buildSegment(job.file, job.uidValidity, job.items);
      return parts ? { parts } : { empty: true };
    }
    case 'merge':
      return mergeSegments(job.file, job.inputs);
    case 'open': {
      const loaded = loadSegment(job.file);
      if (loaded) return { parts: loaded.parts };
      rmSync(job.file, { force: true }); // damaged: its messages are indexed again
      return { damaged: [job.file] };
    }
  }
}

process.on('message', ({ id, job }: { id: number; job: TextJob }) => {
  let reply: TextReply;
  try {
    reply = { id, result: run(job) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  process.send!(reply);
});
process.on('disconnect', () => process.exit(0));
