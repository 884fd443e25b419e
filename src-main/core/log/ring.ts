/** The last lines the app logged, kept in memory for the window's log view and `getLogs`. */
import { Writable } from 'node:stream';

export class LogRing extends Writable {
  readonly #lines: string[] = [];
  readonly #capacity: number;

  constructor(capacity = 2000) {
    super();
    this.#capacity = capacity;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      this.#lines.push(line);
      if (this.#lines.length > this.#capacity) this.#lines.shift();
    }
    done();
  }

  recent(limit = 200): string[] {
    return this.#lines.slice(-limit);
  }
}
