/**
 * The full-text index's jobs (build, merge, open a segment) as the worker process runs them:
 * one function, so the process boundary is the only thing between it and a FolderTextIndex.
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

/** Runs full-text jobs somewhere (the worker process, in production). */
export interface TextJobRunner {
  readonly available: boolean;
  run(job: TextJob): Promise<TextResult>;
}

export function runTextJob(job: TextJob): TextResult {
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
