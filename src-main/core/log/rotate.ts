/**
 * Keeps logs from growing without end: `shiftLogFiles` moves `x.log` to `x.log.1` (and `.1` to
 * `.2`, …, dropping the oldest); `rotateLog` does it at start for a log over the limit, and
 * `RotatingFile` (rotating-file.ts) while serving.
 */
import { renameSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Settings } from '../config/schema.js';

export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
export const LOG_KEEP = 3;

/** How large a log file may grow and how many rotated files are kept. */
export interface RotationLimits {
  readonly maxBytes: number;
  readonly keep: number;
}

export const DEFAULT_ROTATION: RotationLimits = { maxBytes: LOG_ROTATE_BYTES, keep: LOG_KEEP };

/** The limits the settings ask for (`logging.maxFileKilobytes`, `logging.keepFiles`). */
export function logRotation(settings: Settings): RotationLimits {
  return { maxBytes: settings.logging.maxFileKilobytes * 1024, keep: settings.logging.keepFiles };
}

/** mailport.log → mailport.log.1 → … → mailport.log.<keep> (dropped). Missing files are fine. */
export function shiftLogFiles(path: string, keep = LOG_KEEP): void {
  rmSync(`${path}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) {
    try {
      renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch {
      // that generation does not exist yet
    }
  }
  renameSync(path, `${path}.1`);
}

/** At start: rotates a log over the limit; true if it did. */
export async function rotateLog(
  path: string,
  maxBytes = LOG_ROTATE_BYTES,
  keep = LOG_KEEP,
): Promise<boolean> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size <= maxBytes) return false;
  shiftLogFiles(path, keep);
  return true;
}
