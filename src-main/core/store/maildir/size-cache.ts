/**
 * `mailport.cache`: what we learned about each file that is costly to learn again: its CRLF
 * size, and facts the protocols ask to keep (parsed structure). Only a cache: a missing, stale
 * or damaged file is rebuilt from the messages.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../util/atomic-file.js';

export const CACHE_FILE = 'mailport.cache';
const CACHE_VERSION = 2;

export interface CachedFacts {
  readonly fileSize: number;
  readonly mtimeMs: number;
  readonly wireSize: number;
  /** Opaque facts keyed by name, e.g. a parsed structure. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

type StoredFacts = [number, number, number] | [number, number, number, Record<string, unknown>];

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
      for (const [base, [fileSize, mtimeMs, wireSize, extra]] of Object.entries(data.entries)) {
        this.#facts.set(base, { fileSize, mtimeMs, wireSize, ...(extra && { extra }) });
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

  /** A fact stored with `setExtra` for this base, if any. */
  getExtra(base: string, key: string): unknown {
    return this.#facts.get(base)?.extra?.[key];
  }

  setExtra(base: string, key: string, value: unknown): void {
    const facts = this.#facts.get(base);
    if (!facts) return; // sizes are always cached first; an unknown base is not worth keeping
    this.#facts.set(base, { ...facts, extra: { ...facts.extra, [key]: value } });
    this.#dirty = true;
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  /** Forgets every base for which `keep` is false. */
  retain(keep: (base: string) => boolean): void {
    for (const base of this.#facts.keys()) {
      if (!keep(base)) {
        this.#facts.delete(base);
        this.#dirty = true;
      }
    }
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const entries: Record<string, StoredFacts> = {};
    for (const [base, f] of this.#facts) {
      entries[base] = f.extra
        ? [f.fileSize, f.mtimeMs, f.wireSize, { ...f.extra }]
        : [f.fileSize, f.mtimeMs, f.wireSize];
    }
    try {
      await writeFileAtomic(this.#path, JSON.stringify({ version: CACHE_VERSION, entries }));
    } catch {
      this.#dirty = true; // read-only Maildir: serve without a cache
    }
  }
}

function isCacheFile(
  data: unknown,
): data is { version: number; entries: Record<string, StoredFacts> } {
  if (typeof data !== 'object' || data === null) return false;
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (version !== CACHE_VERSION || typeof entries !== 'object' || entries === null) return false;
  return Object.values(entries).every(
    (v) =>
      Array.isArray(v) &&
      (v.length === 3 || (v.length === 4 && typeof v[3] === 'object' && v[3] !== null)) &&
      v.slice(0, 3).every((n) => typeof n === 'number'),
  );
}
