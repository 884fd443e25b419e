/**
 * The full-text index of one open folder (issue 16), shared by its sessions: immutable
 * segment files in its own directory under the data dir, opened (checked in the worker) when
 * the folder is first synced, and extended after each sync by the worker reading the messages
 * no segment covers, SEGMENT_BATCH_MESSAGES to a new segment, behind the header indexer. More
 * than MAX_SEGMENTS are merged into one. Expunged messages stay in their segments: a view has
 * no such message, and the matcher checks every candidate anyway.
 *
 * A message no segment covers at its current size (new, unreadable, a word too long) is never
 * excluded, so answers equal a full scan's whatever state the index is in. A damaged segment
 * (at opening, or found by a query) is deleted and its messages indexed again.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MailboxStatus, TextFilter, TextScope } from '../types.js';
import { BEHIND_HEADER_INDEXER_POLL_MS, MAX_SEGMENTS, SEGMENT_BATCH_MESSAGES } from './limits.js';
import { Segment } from './segment.js';
import { textBuilder } from './text-builder.js';
import type { TextJob, TextJobRunner, TextResult } from './text-jobs.js';
import { queryFragments } from './terms.js';

const SEGMENT_SUFFIX = '.seg';

/** Told when a build has caught up with the folder (for the log and the bench). */
export interface TextIndexBuilt {
  readonly mailbox: string;
  readonly messages: number;
  readonly covered: number;
  readonly segments: number;
  /** What the segments hold in memory, off the V8 heap. */
  readonly memoryBytes: number;
  readonly ms: number;
}

export interface FolderTextIndexOptions {
  readonly mailbox: string;
  /** This folder's segment directory. */
  readonly dir: string;
  /** Where these messages' files are now. */
  readonly paths: (uids: readonly number[]) => { uid: number; path: string }[];
  /** True while the header indexer has work: the build waits (it has the lower priority). */
  readonly behind?: () => boolean;
  readonly onBuilt?: (built: TextIndexBuilt) => void;
  /** Where jobs run: the worker process unless told otherwise. */
  readonly builder?: TextJobRunner;
}

export class FolderTextIndex {
  readonly #options: FolderTextIndexOptions;
  #segments: readonly Segment[] = [];
  #opened = false;
  /** The UIDVALIDITY of the last sync: segments of another are of no use. */
  #uidValidity: number | undefined;
  /**
   * The last sync's status until a build takes it. Not kept after: its message list holds
   * every record of the folder, which the folder lets go when no session has it open.
   */
  #pending: MailboxStatus | undefined;
  /** Messages up to this UID were handed to the worker in this process (not again). */
  #triedUpTo = 0;
  #building = false;
  #again = false;
  #caughtUp = false;
  #closed = false;

  constructor(options: FolderTextIndexOptions) {
    this.#options = options;
  }

  /**
   * The folder as a sync just saw it: index what is new, in the background. A sync that shows
   * no UID above those handed to the worker costs nothing more (NOOP and IDLE sync often).
   */
  update(status: MailboxStatus): void {
    if (this.#closed || !this.#builder.available) return;
    const nothingNew =
      this.#caughtUp &&
      this.#uidValidity === status.uidValidity &&
      status.uidNext - 1 <= this.#triedUpTo;
    this.#uidValidity = status.uidValidity;
    if (nothingNew) return;
    this.#pending = status;
    this.#again = true;
    this.#start();
  }

  /** Stops building (a job under way finishes in the worker; its segment is kept on disk). */
  close(): void {
    this.#closed = true;
    this.#pending = undefined;
  }

  /**
   * What the index knows about `needle`, or undefined when it cannot narrow for it. The
   * segments are those of this moment; a merge meanwhile leaves this search's files readable.
   */
  async filter(needle: string, scope: TextScope): Promise<TextFilter | undefined> {
    const fragments = queryFragments(needle);
    const segments = this.#segments.filter((s) => s.uidValidity === this.#uidValidity);
    if (!fragments || segments.length === 0) return undefined;
    const found = await Promise.all(
      segments.map((s) =>
        s.candidates(fragments, scope === 'body').catch(() => {
          this.#drop([s]); // damaged or gone: its messages are read, and indexed again
          return undefined;
        }),
      ),
    );
    return {
      mayContain: (uid, size) => {
        for (const [i, segment] of segments.entries()) {
          if (!segment.covers(uid, size)) continue;
          const candidates = found[i];
          return candidates === undefined || candidates.has(uid);
        }
        return true; // not indexed as it is now: the matcher reads it
      },
    };
  }

  #start(): void {
    if (this.#building) return;
    this.#building = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      while (this.#again && !this.#closed) {
        this.#again = false;
        await this.#build();
      }
    } catch {
      // the worker failed (the data dir gone, a full disk): searches read every message
    } finally {
      this.#building = false;
    }
  }

  async #build(): Promise<void> {
    const started = performance.now();
    if (!this.#opened) await this.#open();
    const status = this.#pending;
    this.#pending = undefined;
    if (!status) return;
    this.#drop(this.#segments.filter((s) => s.uidValidity !== status.uidValidity));
    const todo = status.messages
      .filter((m) => m.uid > this.#triedUpTo && !this.#segments.some((s) => s.covers(m.uid)))
      .map((m) => m.uid);
    for (const m of status.messages) this.#triedUpTo = Math.max(this.#triedUpTo, m.uid);
    for (let i = 0; i < todo.length && !this.#closed; i += SEGMENT_BATCH_MESSAGES) {
      await this.#waitForHeaderIndexer();
      if (this.#closed) return;
      const items = this.#options.paths(todo.slice(i, i + SEGMENT_BATCH_MESSAGES));
      this.#add(
        await this.#job({
          kind: 'build',
          file: this.#newFile(),
          uidValidity: status.uidValidity,
          items,
        }),
      );
      if (this.#segments.length > MAX_SEGMENTS) await this.#merge();
    }
    if (this.#closed || (todo.length === 0 && this.#caughtUp)) return;
    this.#caughtUp = true;
    this.#options.onBuilt?.({
      mailbox: this.#options.mailbox,
      messages: status.messages.length,
      covered: status.messages.filter((m) => this.#segments.some((s) => s.covers(m.uid, m.size)))
        .length,
      segments: this.#segments.length,
      memoryBytes: this.#segments.reduce((sum, s) => sum + s.memoryBytes, 0),
      ms: Math.round(performance.now() - started),
    });
  }

  /** The segments on disk, each checked in the worker; damaged ones are deleted there. */
  async #open(): Promise<void> {
    const { dir } = this.#options;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(dir)) {
      const file = join(dir, name);
      if (!name.endsWith(SEGMENT_SUFFIX))
        await rm(file, { force: true }); // an interrupted write
      else this.#add(await this.#job({ kind: 'open', file }));
    }
    this.#opened = true;
  }

  async #merge(): Promise<void> {
    const inputs = this.#segments;
    const result = await this.#job({
      kind: 'merge',
      file: this.#newFile(),
      inputs: inputs.map((s) => s.file),
    });
    if ('damaged' in result) {
      this.#drop(inputs.filter((s) => result.damaged.includes(s.file)));
      return;
    }
    if (!('parts' in result)) return;
    const merged = new Segment(result.parts);
    this.#segments = [...this.#segments.filter((s) => !inputs.includes(s)), merged];
    // Searches under way keep reading their open files; a new one sees the merged segment.
    await Promise.all(inputs.map((s) => rm(s.file, { force: true })));
  }

  #add(result: TextResult): void {
    if ('parts' in result) this.#segments = [...this.#segments, new Segment(result.parts)];
  }

  /**
   * Forgets segments and deletes their files; their messages are indexed again by the build
   * under way, or else after the next sync (every command of a session with the folder open).
   */
  #drop(segments: readonly Segment[]): void {
    if (segments.length === 0) return;
    this.#segments = this.#segments.filter((s) => !segments.includes(s));
    for (const s of segments) void rm(s.file, { force: true }).catch(() => undefined);
    this.#triedUpTo = 0;
    this.#caughtUp = false;
  }

  #job(job: TextJob): Promise<TextResult> {
    return this.#builder.run(job);
  }

  get #builder(): TextJobRunner {
    return this.#options.builder ?? textBuilder;
  }

  #newFile(): string {
    const name = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}${SEGMENT_SUFFIX}`;
    return join(this.#options.dir, name);
  }

  /** A pause, then as long as the header indexer (started after the same sync) has work. */
  async #waitForHeaderIndexer(): Promise<void> {
    await sleep(BEHIND_HEADER_INDEXER_POLL_MS);
    while (this.#options.behind?.() && !this.#closed) await sleep(BEHIND_HEADER_INDEXER_POLL_MS);
  }
}
