/**
 * `mailport.cache`: what we learned about each file that is costly to learn again: its CRLF
 * size, and facts the protocols ask to keep (parsed structure). Only a cache: a missing, stale
 * or damaged file is rebuilt from the messages.
 *
 * An append-only log, so that what one change teaches (a delivery, a parse) costs one line,
 * not a rewrite of every message's facts (about 1 KB each: 100 MB at 100,000 messages):
 *
 *   mailport.cache 4
 *   ["<base>",<file size>,<mtime ms>,<CRLF size>(,"<key> <key>…",{<extra facts>})]
 *
 * A later line for a base wins. The names of the extra facts stand before them so that a load
 * parses only the sizes, and a line's facts stay text (as large as they would be parsed) until
 * FETCH or the indexer asks for them: a start or a SELECT does not parse them (10,000
 * messages: load 62 → 50 ms, heap growth 33 → 24 MiB). Version 3 files (no names) are read
 * whole and written again as version 4 at the next save.
 *
 * Lines of removed messages stay until the file is rewritten, which happens when it holds
 * more than twice the lines it needs (COMPACT_FACTOR), or when its end was cut (a crash in
 * the middle of an append: the cut line is ignored, and appending after it would spoil the
 * next one).
 */
import { constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { readText } from '../../util/read-text.js';

export const CACHE_FILE = 'mailport.cache';
const MAGIC = 'mailport.cache 4';
const MAGIC_V3 = 'mailport.cache 3';
/** The file is rewritten when it holds this many times the lines its facts need, or more. */
const COMPACT_FACTOR = 2;
/** ... plus this many: a small folder is not rewritten for a handful of lines. */
const COMPACT_SLACK_LINES = 1000;
const APPEND_ONLY = constants.O_WRONLY | constants.O_APPEND;
/**
 * Lines formatted between turns of the event loop (about 0.1 MB of JSON, a few ms): a save
 * during the first indexing of a large folder has tens of MB to write, which in one piece
 * held every session's commands up for 100–200 ms at a time.
 */
const LINES_PER_TURN = 100;

export interface CachedFacts {
  readonly fileSize: number;
  readonly mtimeMs: number;
  readonly wireSize: number;
  /** Opaque facts keyed by name, e.g. a parsed structure. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

type StoredLine =
  [string, number, number, number] | [string, number, number, number, Record<string, unknown>];

/** Facts read from the file: the extra facts are parsed when first asked for. */
class StoredFacts implements CachedFacts {
  #raw: string | undefined;
  #extra: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly fileSize: number,
    readonly mtimeMs: number,
    readonly wireSize: number,
    /** The names the line gives for its extra facts (none without extra facts). */
    readonly extraKeys: readonly string[],
    raw: string | undefined,
  ) {
    this.#raw = raw;
  }

  get extra(): Readonly<Record<string, unknown>> | undefined {
    if (this.#raw !== undefined) {
      this.#extra = parseExtra(this.#raw); // damaged: as if none were kept
      this.#raw = undefined;
    }
    return this.#extra;
  }

  /** The extra facts as the file has them, until they are parsed. */
  get unparsed(): string | undefined {
    return this.#raw;
  }
}

export class SizeCache {
  readonly #path: string;
  #facts = new Map<string, CachedFacts>();
  /** Bases whose facts were learned or changed since the file last got them. */
  #pending = new Set<string>();
  /** Record lines in the file as last read or written; undefined: rewrite it at the next save. */
  #fileLines: number | undefined;
  #loaded = false;
  /** The last save called: the next one starts after it. */
  #saved: Promise<void> = Promise.resolve();

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
    this.#fileLines = undefined;
    let text: string;
    try {
      text = await readText(this.#path, 'utf8');
    } catch {
      return; // missing or unreadable: start empty, the messages are the truth
    }
    const lines = text.split('\n');
    const cut = lines.pop() !== ''; // the last append did not finish
    const current = lines[0] === MAGIC;
    // Another version, or damaged: rewritten at the next save (version 3 is read first).
    if (!current && lines[0] !== MAGIC_V3) return;
    let damaged = cut || !current;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const read = current ? readLine(line) : readLineV3(line);
      if (!read) {
        damaged = true;
        continue;
      }
      if (!this.#facts.has(read.base)) this.#facts.set(read.base, read.facts); // else newer
    }
    if (!damaged) this.#fileLines = lines.length - 1;
    // A version 3 file is written again as version 4 at the next save, changed or not.
    if (!current) for (const base of this.#facts.keys()) this.#pending.add(base);
  }

  /**
   * Writes what was learned and forgets it all (an idle folder's memory); the next `load`
   * reads it back. Facts learned while released are kept in memory only until then.
   */
  async release(): Promise<void> {
    await this.save();
    if (this.dirty) return; // could not write: keep what would be lost
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
    this.#pending.add(base);
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
    const { fileSize, mtimeMs, wireSize } = facts;
    this.#facts.set(base, { fileSize, mtimeMs, wireSize, extra: { ...facts.extra, ...extras } });
    this.#pending.add(base);
  }

  /**
   * Whether every one of `keys` is known for `base` (whatever file it described); for facts
   * not parsed yet, as the line names them.
   */
  hasExtras(base: string, keys: readonly string[]): boolean {
    const facts = this.#facts.get(base);
    if (facts instanceof StoredFacts && facts.unparsed !== undefined)
      return keys.every((key) => facts.extraKeys.includes(key));
    const extra = facts?.extra;
    return extra !== undefined && keys.every((key) => extra[key] !== undefined);
  }

  /** Something was learned that the file does not have yet. */
  get dirty(): boolean {
    return this.#pending.size > 0;
  }

  /** Forgets `base` (its lines stay in the file: see `retain`). */
  drop(base: string): void {
    this.#facts.delete(base);
    this.#pending.delete(base);
  }

  /**
   * Forgets every base for which `keep` is false. Their lines stay in the file (nothing is
   * written for a removal) until it is rewritten; a line that no longer describes its file
   * is never used (`get` compares size and mtime).
   */
  retain(keep: (base: string) => boolean): void {
    for (const base of this.#facts.keys()) {
      if (!keep(base)) {
        this.#facts.delete(base);
        this.#pending.delete(base);
      }
    }
  }

  /**
   * Appends what was learned, or rewrites the file when it is due (see the top). Saves run one
   * after another, each after those called before it.
   */
  save(): Promise<void> {
    const saved = this.#saved.then(() => this.#save());
    this.#saved = saved.catch(() => undefined);
    return saved;
  }

  async #save(): Promise<void> {
    // Not read yet (released): a rewrite now would drop every entry the file holds.
    if (!this.dirty || !this.#loaded) return;
    const pending = this.#pending;
    this.#pending = new Set();
    try {
      const lines = this.#fileLines;
      if (lines === undefined || lines + pending.size > this.#compactAt()) {
        await this.#rewrite();
      } else {
        // Without O_CREAT: a file deleted meanwhile is written whole (header first) instead.
        if ([...pending].some((base) => this.#facts.has(base)))
          await writeFile(this.#path, formatLines(pending, this.#facts), { flag: APPEND_ONLY });
        this.#fileLines = lines + pending.size;
      }
    } catch {
      // A read-only Maildir: serve without a cache. Learned facts are kept for a later try.
      for (const base of pending) if (this.#facts.has(base)) this.#pending.add(base);
      this.#fileLines = undefined;
    }
  }

  #compactAt(): number {
    return COMPACT_FACTOR * this.#facts.size + COMPACT_SLACK_LINES;
  }

  async #rewrite(): Promise<void> {
    const facts = this.#facts;
    const lines = facts.size;
    await writeFileAtomic(this.#path, withMagic(formatLines(facts.keys(), facts)));
    this.#fileLines = lines;
  }
}

async function* withMagic(lines: AsyncIterable<string>): AsyncGenerator<string> {
  yield `${MAGIC}\n`;
  yield* lines;
}

/**
 * One line per base that still has facts, in pieces of LINES_PER_TURN lines with a turn of
 * the event loop between them. Facts learned meanwhile are written by the next save.
 */
async function* formatLines(
  bases: Iterable<string>,
  facts: ReadonlyMap<string, CachedFacts>,
): AsyncGenerator<string> {
  let out: string[] = [];
  for (const base of bases) {
    const f = facts.get(base);
    if (!f) continue;
    if (out.push(`${formatLine(base, f)}\n`) < LINES_PER_TURN) continue;
    yield out.join('');
    out = [];
    await nextTurn();
  }
  if (out.length > 0) yield out.join('');
}

/** One record line: facts read from a file and not parsed since are written as they were. */
function formatLine(base: string, f: CachedFacts): string {
  const head = `[${JSON.stringify(base)},${f.fileSize},${f.mtimeMs},${f.wireSize}`;
  if (f instanceof StoredFacts && f.unparsed !== undefined)
    return `${head},${JSON.stringify(f.extraKeys.join(' '))},${f.unparsed}]`;
  const extra = f.extra;
  if (!extra) return `${head}]`;
  const keys = Object.keys(extra).filter((key) => extra[key] !== undefined);
  return `${head},${JSON.stringify(keys.join(' '))},${JSON.stringify(extra)}]`;
}

/** A number as JSON.stringify writes one. */
const NUMBER = String.raw`(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)`;
/** A version 4 line up to its extra facts: base, sizes and mtime, then `]` or the names. */
const LINE_HEAD = new RegExp(
  String.raw`^\[("(?:[^"\\]|\\.)*"),${NUMBER},${NUMBER},${NUMBER}(?:\]$|,"([^"\\]*)",(?=\{))`,
);

interface ReadLine {
  readonly base: string;
  readonly facts: CachedFacts;
}

/** A version 4 record line with its extra facts left as text, or undefined if damaged. */
function readLine(line: string): ReadLine | undefined {
  const head = LINE_HEAD.exec(line);
  if (!head) return undefined;
  const quoted = head[1]!;
  let base: string;
  try {
    // A copy: a slice (or what JSON.parse may return) keeps the whole file's text alive.
    base = copyOf(JSON.parse(quoted) as string);
  } catch {
    return undefined;
  }
  const [fileSize, mtimeMs, wireSize] = [Number(head[2]), Number(head[3]), Number(head[4])];
  const names = head[5];
  if (names === undefined)
    return { base, facts: new StoredFacts(fileSize, mtimeMs, wireSize, [], undefined) };
  if (!line.endsWith('}]')) return undefined;
  const raw = line.slice(head[0].length, -1);
  return { base, facts: new StoredFacts(fileSize, mtimeMs, wireSize, keyList(names), raw) };
}

/** A string that shares no memory with the one it came from. */
function copyOf(text: string): string {
  return Buffer.from(text).toString();
}

/** Lists of names, shared: most lines of a folder name the same facts. */
const keyLists = new Map<string, readonly string[]>();

function keyList(names: string): readonly string[] {
  let list = keyLists.get(names);
  if (!list) {
    // Copies, not slices of the file's text: the shared lists outlive every load.
    const own = copyOf(names);
    list = own === '' ? [] : own.split(' ');
    if (keyLists.size < 64) keyLists.set(own, list);
  }
  return list;
}

/** A version 3 record line, parsed whole. */
function readLineV3(line: string): ReadLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || (v.length !== 4 && v.length !== 5)) return undefined;
  if (typeof v[0] !== 'string' || !v.slice(1, 4).every((n) => typeof n === 'number'))
    return undefined;
  const extra = v.length === 5 ? asExtra(v[4]) : undefined;
  if (v.length === 5 && !extra) return undefined;
  const [base, fileSize, mtimeMs, wireSize] = v as StoredLine;
  return { base, facts: { fileSize, mtimeMs, wireSize, ...(extra && { extra }) } };
}

/** Extra facts as written, or undefined when they are not a JSON object. */
function parseExtra(raw: string): Record<string, unknown> | undefined {
  try {
    return asExtra(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

function asExtra(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
