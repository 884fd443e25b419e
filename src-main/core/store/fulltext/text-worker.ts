/**
 * The full-text index's worker thread (started by text-builder.ts): builds, merges and opens
 * segments, so reading, tokenizing and checksumming mail never runs on the sessions' event
 * loop. The parts a reader keeps come back as transferred buffers (no copy, off the heap).
 */
import { rmSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
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

/** Fresh copies of the parts' arrays, each its own ArrayBuffer, to transfer. */
function owned(parts: SegmentParts): SegmentParts {
  return {
    ...parts,
    uids: parts.uids.slice(),
    sizes: parts.sizes.slice(),
    termOffsets: parts.termOffsets.slice(),
    blob: new Uint8Array(parts.blob),
  };
}

parentPort!.on('message', ({ id, job }: { id: number; job: TextJob }) => {
  let reply: TextReply;
  try {
    const result = run(job);
    reply = { id, result: 'parts' in result ? { parts: owned(result.parts) } : result };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  const parts = reply.result && 'parts' in reply.result ? reply.result.parts : undefined;
  const transfer = parts
    ? [parts.uids.buffer, parts.sizes.buffer, parts.termOffsets.buffer, parts.blob.buffer]
    : [];
  parentPort!.postMessage(reply, transfer as ArrayBuffer[]);
});
