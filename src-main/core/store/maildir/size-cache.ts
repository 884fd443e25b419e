/**
 * `mailport.cache`: what we learned about each file that is costly to learn again (for now its
 * CRLF size). Only a cache: a missing, stale or damaged file is rebuilt from the messages.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../util/atomic-file.js';

export const CACHE_FILE = 'mailport.cache';
const CACHE_VERSION = 1;

export interface CachedFacts {
  readonly fileSize: number;
  readonly mtimeMs: number;
  readonly wireSize: number;
}

export class SizeCache {
  readonly #path: string;
  #facts = new Map<string, CachedFacts>();
  #dirty = false;

  constructor(path: string) {
    this.#path = path;
  }

  async load(): Promise<void> {
    try {
      const data = JSON.parse(await readFile(this.#path, 'utf8')) as unknown;
      if (!isCacheFile(data)) return;
      for (const [base, [fileSize, mtimeMs, wireSize]] of Object.entries(data.entries)) {
        this.#facts.set(base, { fileSize, mtimeMs, wireSize });
      }
    } catch {
      // Missing or damaged: start empty, the messages are the truth.
    }
  }

  /** Facts for `base` if they still describe the file (same size and mtime). */
  get(base: string, fileSize: number, mtimeMs: number): CachedFacts | undefined {
    const facts = this.#facts.get(base);
    return facts && facts.fileSize === fileSize && facts.mtimeMs === mtimeMs ? facts : undefined;
  }

  set(base: string, facts: CachedFacts): void {
    this.#facts.set(base, facts);
    this.#dirty = true;
  }

  /** Forgets every base not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const base of this.#facts.keys()) {
      if (!keep.has(base)) {
        this.#facts.delete(base);
        this.#dirty = true;
      }
    }
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const entries: Record<string, [number, number, number]> = {};
    for (const [base, f] of this.#facts) entries[base] = [f.fileSize, f.mtimeMs, f.wireSize];
    try {
      await writeFileAtomic(this.#path, JSON.stringify({ version: CACHE_VERSION, entries }));
    } catch {
      this.#dirty = true; // read-only Maildir: serve without a cache
    }
  }
}

function isCacheFile(
  data: unknown,
): data is { version: number; entries: Record<string, [number, number, number]> } {
  if (typeof data !== 'object' || data === null) return false;
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (version !== CACHE_VERSION || typeof entries !== 'object' || entries === null) return false;
  return Object.values(entries).every(
    (v) => Array.isArray(v) && v.length === 3 && v.every((n) => typeof n === 'number'),
  );
}
