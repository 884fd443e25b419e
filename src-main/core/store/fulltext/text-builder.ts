/**
 * The one worker thread that builds, merges and opens full-text segments for every folder of
 * the process, a job at a time (one core at most, behind the header indexer's threads). It
 * starts when there is work and ends after WORKER_IDLE_MS without any, so an idle server holds
 * no thread and none of its memory.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WORKER_IDLE_MS } from './limits.js';
import type { TextJob, TextReply, TextResult } from './text-worker.js';

interface Pending {
  readonly id: number;
  readonly job: TextJob;
  resolve(result: TextResult): void;
  reject(err: unknown): void;
}

class TextBuilder {
  readonly #script = new URL('./text-worker.js', import.meta.url);
  readonly #queue: Pending[] = [];
  #worker: Worker | undefined;
  #current: Pending | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #nextId = 1;
  #built: boolean | undefined;

  /** Whether the worker script is there (the built code; not source run by a test runner). */
  get available(): boolean {
    this.#built ??= existsSync(fileURLToPath(this.#script));
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
    const worker = (this.#worker ??= this.#spawn());
    this.#current = this.#queue.shift()!;
    worker.postMessage({ id: this.#current.id, job: this.#current.job });
  }

  #spawn(): Worker {
    const worker = new Worker(this.#script);
    worker.unref(); // building never keeps the process alive
    worker.on('message', (reply: TextReply) => {
      const pending = this.#current;
      this.#current = undefined;
      if (pending?.id === reply.id) {
        if (reply.result) pending.resolve(reply.result);
        else pending.reject(new Error(reply.error ?? 'full-text job failed'));
      }
      this.#dispatch();
      if (!this.#current) {
        this.#idleTimer = setTimeout(() => void this.#end(worker), WORKER_IDLE_MS);
        this.#idleTimer.unref();
      }
    });
    const failed = (err: unknown): void => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#current?.reject(err);
      this.#current = undefined;
      this.#dispatch();
    };
    worker.on('error', failed);
    worker.on('exit', (code) => failed(new Error(`full-text worker exited with code ${code}`)));
    return worker;
  }

  async #end(worker: Worker): Promise<void> {
    if (this.#worker !== worker || this.#current) return;
    this.#worker = undefined;
    await worker.terminate();
  }
}

/** Shared by every folder's index in this process. */
export const textBuilder = new TextBuilder();
