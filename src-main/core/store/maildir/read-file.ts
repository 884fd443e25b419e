/**
 * Reading a whole message file whose size we already know (from the listing).
 *
 * Small files are read synchronously into one reused buffer: from the page cache that takes
 * microseconds, while a trip through libuv's thread pool costs several times that on a busy
 * two-core machine (measured with `npm run bench`). The event loop is blocked for one read
 * of at most 1 MiB at a time (every message that is sent whole: a fraction of a millisecond
 * from the page cache), and no Buffer is allocated per message. Larger files (parsing a big
 * message) go through node's callback API (open, one read, close),
 * about half the cost of `FileHandle.readFile`. A file that grew since it was listed is read
 * again whole.
 */
import { close, closeSync, open, openSync, read, readFile, readSync } from 'node:fs';
import { simdCrlf } from '../crlf-simd.js';
import { releaseWhenIdle } from '../../util/idle-memory.js';

/** Files up to this size are read synchronously (the protocols' whole-message limit). */
export const SYNC_READ_MAX = 1024 * 1024;

/** Where small files are read where WebAssembly SIMD is missing. */
let fallback: Buffer | undefined;
releaseWhenIdle(() => (fallback = undefined));

/**
 * Where small files are read: the SIMD converter's input where there is one (no copy). Asked
 * of the converter at every read, never kept: an idle release replaces the converter, and
 * its `convert` reads only its own memory.
 */
function sharedBuffer(): Buffer {
  return simdCrlf()?.input ?? (fallback ??= Buffer.allocUnsafe(SYNC_READ_MAX + 1));
}

/**
 * The file's bytes as a view of a shared buffer, valid until the next call; undefined when
 * the file is larger than expected (it grew: read it with `readKnownSize`).
 */
export function readSmallFileShared(path: string, expectedSize: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  const scratch = sharedBuffer();
  try {
    const length = Math.min(expectedSize + 1, scratch.length);
    const bytesRead = readSync(fd, scratch, 0, length, 0);
    return bytesRead <= expectedSize ? scratch.subarray(0, bytesRead) : undefined;
  } finally {
    closeSync(fd);
  }
}

/** The first bytes of a file (at most SYNC_READ_MAX) as a view of the shared buffer. */
export function readStartShared(path: string, length: number): Buffer {
  const fd = openSync(path, 'r');
  const scratch = sharedBuffer();
  try {
    return scratch.subarray(0, readSync(fd, scratch, 0, Math.min(length, SYNC_READ_MAX), 0));
  } finally {
    closeSync(fd);
  }
}

export function readKnownSize(path: string, expectedSize: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (openError, fd) => {
      if (openError) return reject(openError);
      // One byte more than expected tells a file that grew from one that did not.
      const buffer = Buffer.allocUnsafe(expectedSize + 1);
      read(fd, buffer, 0, buffer.length, 0, (readError, bytesRead) => {
        if (readError || bytesRead <= expectedSize) {
          close(fd, () => undefined);
          if (readError) reject(readError);
          else resolve(buffer.subarray(0, bytesRead));
          return;
        }
        readFile(fd, (error, whole) => {
          close(fd, () => undefined);
          if (error) reject(error);
          else resolve(whole);
        });
      });
    });
  });
}
