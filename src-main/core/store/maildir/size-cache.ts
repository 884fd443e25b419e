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
  #loaded = false;

  constructor(path: string) {
    this.#path = path;
  }

  /** Whether the file was read (since it was made or last released). */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Reads the file; facts learned meanwhile in memory win over the file's. */
  async load(): Promise<void> {
    this.#loaded = true;
    try {
      const data = JSON.parse(await readFile(this.#path, 'utf8')) as unknown;
      if (!isCacheFile(data)) return;
      for (const [base, [fileSize, mtimeMs, wireSize, extra]] of Object.entries(data.entries)) {
        if (this.#facts.has(base)) continue;
        this.#facts.set(base, { fileSize, mtimeMs, wireSize, ...(extra && { extra }) });
      }
    } catch {
      // Missing or damaged: start empty, the messages are the truth.
    }
  }

  /**
   * Writes what was learned and forgets it all (an idle folder's memory); the next `load`
   * reads it back. Facts learned while released are kept in memory only until then.
   */
  async release(): Promise<void> {
    await this.save();
    if (this.#dirty) return; // could not write: keep what would be lost
    this.#facts = new Map();
    this.#loaded = false;
  }

  /** Facts for `base` if they still describe the file (same size and mtime). */
  get(base: string, fileSize: number, mtimeMs: number): CachedFacts | undefined {
    const facts = this.#facts.get(base);
    return facts && facts.fileSize === fileSize && facts.mtimeMs === mtimeMs ? facts : undefined;
  }

  /**
   * Facts for `base` when they were learned from a file of `namedSize` octets, the S= in its
   * name: Maildir never rewrites a message in place, so they describe the file without a stat.
   */
  named(base: string, namedSize: number | undefined): CachedFacts | undefined {
    const facts = this.#facts.get(base);
    return namedSize !== undefined && facts?.fileSize === namedSize ? facts : undefined;
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
    this.setExtras(base, { [key]: value });
  }

  /** Several facts at once (learned from one parse). */
  setExtras(base: string, extras: Readonly<Record<string, unknown>>): void {
    const facts = this.#facts.get(base);
    if (!facts) return; // sizes are always cached first; an unknown base is not worth keeping
    this.#facts.set(base, { ...facts, extra: { ...facts.extra, ...extras } });
    this.#dirty = true;
  }

  /** Whether every one of `keys` is known for `base` (whatever file it described). */
  hasExtras(base: string, keys: readonly string[]): boolean {
    const extra = this.#facts.get(base)?.extra;
    return extra !== undefined && keys.every((key) => extra[key] !== undefined);
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
    // Not read yet (released): writing now would drop every entry the file holds.
    if (!this.#dirty || !this.#loaded) return;
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
