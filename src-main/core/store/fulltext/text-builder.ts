/**
 * The one helper process that builds, merges and opens full-text segments for every folder of
 * this process, a job at a time (one core at most, behind the header indexer's threads). It
 * starts when there is work and ends after WORKER_IDLE_MS without any.
 *
 * A process rather than a worker thread: reading and tokenizing 100,000 messages makes
 * millions of allocations, and a thread's malloc arenas stay with the process after the thread
 * ends (measured: ~190 MB resident in them after an index of 100,000 messages, against 46 MB
 * of segments). A process gives every byte back when it exits; the parts a reader keeps
 * arrive as copies in this process's own memory.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lowerPriority } from '../../util/background-priority.js';
import { BUILD_NICENESS, WORKER_HEAP_MB, WORKER_IDLE_MS, WORKER_YOUNG_HEAP_MB } from './limits.js';
import type { TextJob, TextJobRunner, TextResult } from './text-jobs.js';
import type { TextReply } from './text-worker.js';

interface Pending {
  readonly id: number;
  readonly job: TextJob;
  resolve(result: TextResult): void;
  reject(err: unknown): void;
}

class TextBuilder implements TextJobRunner {
  readonly #script = fileURLToPath(new URL('./text-worker.js', import.meta.url));
  readonly #queue: Pending[] = [];
  #child: ChildProcess | undefined;
  #current: Pending | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #nextId = 1;
  #built: boolean | undefined;

  /** Whether the worker script is there (the built code; not source run by a test runner). */
  get available(): boolean {
    this.#built ??= existsSync(this.#script);
    return this.#built;
  }

  run(job: TextJob): Promise<TextResult> {
    if (!this.available) return Promise.reject(new Error('full-text worker unavailable'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, job, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    if (this.#current || this.#queue.length === 0) return;
    clearTimeout(this.#idleTimer);
    const child = (this.#child ??= this.#spawn());
    this.#current = this.#queue.shift()!;
    child.send({ id: this.#current.id, job: this.#current.job });
  }

  #spawn(): ChildProcess {
    const child = fork(this.#script, [], {
      serialization: 'advanced', // typed arrays cross as bytes, not JSON
      execArgv: [
        `--max-old-space-size=${WORKER_HEAP_MB}`,
        `--max-semi-space-size=${WORKER_YOUNG_HEAP_MB / 2}`,
      ],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    // Behind the sessions and the header indexer for the CPU: the index only makes later
    // searches faster. On Linux this is the helper's main thread, which does the building.
    if (child.pid !== undefined) lowerPriority(child.pid, BUILD_NICENESS);
    // Building never keeps this process alive.
    child.unref();
    child.channel?.unref();
    child.on('message', (reply: TextReply) => {
      const pending = this.#current;
      this.#current = undefined;
      if (pending?.id === reply.id) {
        if (reply.result) pending.resolve(reply.result);
        else pending.reject(new Error(reply.error ?? 'full-text job failed'));
      }
      this.#dispatch();
      if (!this.#current) {
        this.#idleTimer = setTimeout(() => this.#end(child), WORKER_IDLE_MS);
        this.#idleTimer.unref();
      }
    });
    const failed = (err: unknown): void => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#current?.reject(err);
      this.#current = undefined;
      this.#dispatch();
    };
    child.on('error', failed);
    child.on('exit', (code) => failed(new Error(`full-text worker exited with code ${code}`)));
    return child;
  }

  #end(child: ChildProcess): void {
    if (this.#child !== child || this.#current) return;
    this.#child = undefined;
    child.disconnect(); // the worker exits when its channel closes
  }
}

/** Shared by every folder's index in this process. */
export const textBuilder = new TextBuilder();
