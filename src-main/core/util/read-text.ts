/**
 * `readFile(path, encoding)` for files that may be large (a folder's uidlist, cache or modseq
 * file: megabytes at 100,000 messages), read through one 64 KiB buffer. `readFile` allocates
 * a buffer the size of the file; glibc hands that out as an mmap of its own, and freeing it
 * raises the process's mmap threshold to its size for good. From then on, freed memory up to
 * that size stays in the heap instead of going back to the system (this and 64 KiB stream
 * pieces: about 135 → 124–131 MiB PSS after the bench's workloads on 10,000 messages, read in
 * /proc/<pid>/smaps; docs/performance.md).
 */
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Below glibc's default mmap threshold (128 KiB): recycled within the heap. */
const PIECE_BYTES = 64 * 1024;

export async function readText(path: string, encoding: 'utf8' | 'latin1'): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const piece = Buffer.allocUnsafe(PIECE_BYTES);
    const decoder = new StringDecoder(encoding);
    const parts: string[] = [];
    for (;;) {
      const { bytesRead } = await handle.read(piece, 0, PIECE_BYTES, null);
      if (bytesRead === 0) break;
      parts.push(decoder.write(piece.subarray(0, bytesRead)));
    }
    parts.push(decoder.end());
    return parts.join('');
  } finally {
    await handle.close();
  }
}
