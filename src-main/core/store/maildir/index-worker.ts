/**
 * A worker thread of the background indexer (`index-pool.ts`): reads message files whole and
 * runs the facts module it was given (`workerData.factsModule`: `fileFacts` of the file as
 * stored, with the conversion to wire form for files that need it) on each, so parsing a
 * large folder uses another core and leaves the event loop of the sessions free. A job with
 * a task (SEARCH's matcher) runs the task's module on each file instead and answers which
 * files matched. A file that cannot be read (renamed or expunged meanwhile, too large)
 * answers null, or counts as unread: the event loop reads it itself when a client asks.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../../util/background-priority.js';
import { toCrlf, WireSizeCounter } from '../crlf.js';
import { SIMD_INPUT_MAX, simdCrlf, type SimdCrlf } from '../crlf-simd.js';
import type { FileTask } from '../types.js';
import type { IndexedFile, IndexJob, IndexReply } from './index-pool.js';

/** Larger files are left to FETCH (and to a streamed download): not worth a worker's memory. */
const INDEX_FILE_MAX_BYTES = 32 * 1024 * 1024;
/** Larger files go through the SIMD converter in pieces of this size (its input holds 1 MiB). */
const SIMD_CHUNK_BYTES = 1024 * 1024;

type FileFacts = (file: Buffer, toWire: (file: Buffer) => Buffer) => Record<string, unknown>;
type MatchFile = (
  file: Buffer,
  toWire: (file: Buffer) => Buffer,
  input: unknown,
) => boolean | Promise<boolean>;

lowerThreadPriority(); // the sessions' event loop and a login's scrypt come first
const { factsModule } = workerData as { factsModule: string };
const { fileFacts } = (await import(factsModule)) as { fileFacts: FileFacts };
/** Task modules by URL, imported at their first job. */
const taskModules = new Map<string, Promise<MatchFile>>();

parentPort!.on('message', (job: IndexJob) => {
  if (!job.task) {
    const reply: IndexReply = { id: job.id, results: job.paths.map((path) => indexFile(path)) };
    parentPort!.postMessage(reply);
    return;
  }
  void runTask(job.paths, job.task).then(
    ({ matched, unread }) => parentPort!.postMessage({ id: job.id, matched, unread }),
    () => parentPort!.postMessage({ id: job.id, matched: [], unread: job.paths.map((_, i) => i) }),
  );
});

async function runTask(
  paths: readonly string[],
  task: FileTask,
): Promise<{ matched: number[]; unread: number[] }> {
  const matchFile = await taskModule(task.module);
  const matched: number[] = [];
  const unread: number[] = [];
  for (const [i, path] of paths.entries()) {
    const file = readForTask(path);
    let hit: boolean | undefined;
    try {
      // One file at a time: the converter's memory is not reused before the task is done.
      hit = file && (await matchFile(file.bytes, file.toWire, task.input));
    } catch {
      hit = undefined; // the event loop tries again and reports what it finds
    }
    if (hit === undefined) unread.push(i);
    else if (hit) matched.push(i);
  }
  return { matched, unread };
}

function taskModule(url: string): Promise<MatchFile> {
  let loaded = taskModules.get(url);
  if (!loaded) {
    loaded = import(url).then((m: { matchFile: MatchFile }) => m.matchFile);
    taskModules.set(url, loaded);
  }
  return loaded;
}

function indexFile(path: string): IndexedFile | null {
  const file = readWhole(path);
  if (!file) return null;
  try {
    const counter = new WireSizeCounter();
    counter.add(file.bytes);
    return {
      fileSize: file.info.size,
      mtimeMs: file.info.mtimeMs,
      wireSize: counter.size,
      facts: fileFacts(file.bytes, toCrlf),
    };
  } catch {
    return null;
  }
}

/**
 * A file for a task, with its conversion to wire form. One up to 1 MiB is read into the SIMD
 * converter's input and converted there (`crlf-simd.ts`, about a third of `toCrlf`'s CPU),
 * so a scan allocates no Buffer per message; the views are valid until the next file.
 */
function readForTask(
  path: string,
): { bytes: Buffer; toWire: (file: Buffer) => Buffer } | undefined {
  const simd = simdCrlf();
  if (!simd) return readConverted(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (size >= SIMD_INPUT_MAX) {
      const file = readWhole(path);
      return file && { bytes: file.bytes, toWire: (bytes) => toCrlfInChunks(simd, bytes) };
    }
    // One octet more than the size tells a file that grew while it was read.
    if (readSync(fd, simd.input, 0, size + 1, 0) !== size) return undefined;
    const bytes = simd.input.subarray(0, size);
    return { bytes, toWire: (file) => (file === bytes ? simd.convert(size) : toCrlf(file)) };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * A large file converted 1 MiB at a time through the SIMD converter, each piece copied once
 * into room for the worst case (every octet an LF; pages never written are never touched).
 */
function toCrlfInChunks(simd: SimdCrlf, file: Buffer): Buffer {
  const wire = Buffer.allocUnsafeSlow(file.length * 2);
  let length = 0;
  let before = -1;
  for (let at = 0; at < file.length; at += SIMD_CHUNK_BYTES) {
    const chunk = file.subarray(at, at + SIMD_CHUNK_BYTES);
    chunk.copy(simd.input);
    length += simd.convert(chunk.length, before).copy(wire, length);
    before = chunk[chunk.length - 1]!;
  }
  return wire.subarray(0, length);
}

function readConverted(
  path: string,
): { bytes: Buffer; toWire: (file: Buffer) => Buffer } | undefined {
  const file = readWhole(path);
  return file && { bytes: file.bytes, toWire: toCrlf };
}

/** The file as stored, or undefined when it is gone, too large or changed while read. */
function readWhole(path: string): { bytes: Buffer; info: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (info.size > INDEX_FILE_MAX_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(info.size);
    let length = 0;
    while (length < bytes.length) {
      const n = readSync(fd, bytes, length, bytes.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return length === info.size ? { bytes, info } : undefined; // changed while read
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
