/**
 * The background indexer's threads: a small pool of `worker_threads` (as many as the machine
 * has cores, at most INDEX_WORKERS_MAX) that parse message files with a facts module given by
 * the caller (the store never formats protocol text: the IMAP layer supplies what to learn),
 * and run tasks such as SEARCH's matcher on files (`match`, a module named by each job).
 * Workers start when there is work and end after WORKER_IDLE_MS without any, so an idle
 * server holds no thread and none of its memory.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackgroundIndexer, FileTask, IndexedFile } from '../types.js';

export type { IndexedFile } from '../types.js';

/** Two on this project's reference two-core machine: the sessions share the cores with them. */
const INDEX_WORKERS_MAX = 2;
/** A worker with nothing to do for this long ends. */
const WORKER_IDLE_MS = 1000;

/** Facts for each file (no task), or the task's matches. */
export interface IndexJob {
  readonly id: number;
  readonly paths: readonly string[];
  readonly task?: FileTask;
}

export interface IndexReply {
  readonly id: number;
  /** Facts for each file, for a job without a task. */
  readonly results?: (IndexedFile | null)[];
  /** For a task: indexes into the job's paths that it matched, and files not read. */
  readonly matched?: number[];
  readonly unread?: number[];
}

interface Pending {
  readonly job: IndexJob;
  resolve(reply: IndexReply): void;
  reject(err: unknown): void;
}

interface Thread {
  readonly worker: Worker;
  current?: Pending;
  idleTimer?: NodeJS.Timeout;
}

export class IndexPool implements BackgroundIndexer {
  readonly keys: readonly string[];
  readonly concurrency: number;
  readonly #factsModule: string;
  readonly #script = new URL('./index-worker.js', import.meta.url);
  readonly #threads = new Set<Thread>();
  readonly #queue: Pending[] = [];
  /** Work a client waits for: taken before `#queue`. */
  readonly #urgent: Pending[] = [];
  #nextId = 1;
  #closed = false;
  #built: boolean | undefined;

  /**
   * `factsModule` exports `fileFacts(file: Buffer, toWire)` giving the facts named by `keys`
   * for a message file as stored (`toWire` gives its CRLF form when it needs one).
   */
  constructor(factsModule: URL, keys: readonly string[], size = defaultSize()) {
    this.#factsModule = factsModule.href;
    this.keys = keys;
    this.concurrency = size;
  }

  /**
   * Whether workers can run here: the built code has the worker script beside this module
   * (source run by a test runner does not, and then FETCH parses everything itself).
   */
  get available(): boolean {
    this.#built ??= existsSync(fileURLToPath(this.#script));
    return !this.#closed && this.#built;
  }

  /** Whether work is queued or under way (the full-text index waits behind it). */
  get busy(): boolean {
    if (this.#urgent.length + this.#queue.length > 0) return true;
    for (const thread of this.#threads) if (thread.current) return true;
    return false;
  }

  async run(paths: readonly string[], urgent = false): Promise<(IndexedFile | null)[]> {
    return (await this.#submit(paths, urgent)).results ?? [];
  }

  async match(
    paths: readonly string[],
    task: FileTask,
  ): Promise<{ matched: number[]; unread: number[] }> {
    const { matched = [], unread = [] } = await this.#submit(paths, true, task);
    return { matched, unread };
  }

  #submit(paths: readonly string[], urgent: boolean, task?: FileTask): Promise<IndexReply> {
    if (!this.available) return Promise.reject(new Error('background indexing unavailable'));
    return new Promise((resolve, reject) => {
      const queue = urgent ? this.#urgent : this.#queue;
      const job: IndexJob = { id: this.#nextId++, paths, ...(task && { task }) };
      queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  /** Takes work again after `close` (a service started again). */
  open(): void {
    this.#closed = false;
  }

  /** Ends every worker; work still queued is refused until `open`. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of [...this.#urgent.splice(0), ...this.#queue.splice(0)])
      pending.reject(new Error('indexer closed'));
    await Promise.all([...this.#threads].map((t) => this.#end(t)));
  }

  #dispatch(): void {
    while (this.#urgent.length + this.#queue.length > 0) {
      const thread = this.#idleThread() ?? this.#spawn();
      if (!thread) return; // all busy: the next reply dispatches again
      const pending = (this.#urgent.length > 0 ? this.#urgent : this.#queue).shift()!;
      clearTimeout(thread.idleTimer);
      thread.current = pending;
      thread.worker.postMessage(pending.job);
    }
  }

  #idleThread(): Thread | undefined {
    for (const thread of this.#threads) if (!thread.current) return thread;
    return undefined;
  }

  #spawn(): Thread | undefined {
    if (this.#threads.size >= this.concurrency) return undefined;
    const worker = new Worker(this.#script, { workerData: { factsModule: this.#factsModule } });
    worker.unref(); // indexing never keeps the process alive
    const thread: Thread = { worker };
    this.#threads.add(thread);
    worker.on('message', (reply: IndexReply) => {
      const pending = thread.current;
      thread.current = undefined;
      if (pending?.job.id === reply.id) pending.resolve(reply);
      this.#dispatch();
      if (!thread.current) {
        thread.idleTimer = setTimeout(() => void this.#end(thread), WORKER_IDLE_MS);
        thread.idleTimer.unref();
      }
    });
    const failed = (err: unknown): void => {
      this.#threads.delete(thread);
      clearTimeout(thread.idleTimer);
      thread.current?.reject(err);
      thread.current = undefined;
    };
    worker.on('error', failed);
    worker.on('exit', (code) => failed(new Error(`index worker exited with code ${code}`)));
    return thread;
  }

  async #end(thread: Thread): Promise<void> {
    this.#threads.delete(thread);
    clearTimeout(thread.idleTimer);
    await thread.worker.terminate();
  }
}

function defaultSize(): number {
  return Math.max(1, Math.min(INDEX_WORKERS_MAX, availableParallelism()));
}
