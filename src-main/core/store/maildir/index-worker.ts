/**
 * A worker thread of the background indexer (`index-pool.ts`): reads message files whole and
 * runs the facts module it was given (`workerData.factsModule`: `fileFacts` of the file as
 * stored, with the conversion to wire form for files that need it) on each, so parsing a large folder uses another core and leaves the event loop
 * of the sessions free. A file that cannot be read (renamed or expunged meanwhile, too large)
 * answers null: FETCH will parse it itself when a client asks.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { toCrlf, WireSizeCounter } from '../crlf.js';
import type { IndexedFile, IndexJob, IndexReply } from './index-pool.js';

/** Larger files are left to FETCH (and to a streamed download): not worth a worker's memory. */
const INDEX_FILE_MAX_BYTES = 32 * 1024 * 1024;

type FileFacts = (file: Buffer, toWire: (file: Buffer) => Buffer) => Record<string, unknown>;

const { factsModule } = workerData as { factsModule: string };
const { fileFacts } = (await import(factsModule)) as { fileFacts: FileFacts };

parentPort!.on('message', (job: IndexJob) => {
  const reply: IndexReply = { id: job.id, results: job.paths.map((path) => indexFile(path)) };
  parentPort!.postMessage(reply);
});

function indexFile(path: string): IndexedFile | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const info = fstatSync(fd);
    if (info.size > INDEX_FILE_MAX_BYTES) return null;
    const bytes = Buffer.allocUnsafe(info.size);
    let length = 0;
    while (length < bytes.length) {
      const n = readSync(fd, bytes, length, bytes.length - length, length);
      if (n === 0) break;
      length += n;
    }
    if (length !== info.size) return null; // changed while read: left to FETCH
    const counter = new WireSizeCounter();
    counter.add(bytes);
    return {
      fileSize: info.size,
      mtimeMs: info.mtimeMs,
      wireSize: counter.size,
      facts: fileFacts(bytes, toCrlf),
    };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
