/**
 * Closing connections refused by the caps (net/admission.ts) without letting a flood of them
 * cost more than it must: a refused client gets a line saying why and a short grace to read
 * it, but only a bounded number linger at once (beyond that they are closed at once, without
 * the line), and the log gets one summary line per interval instead of a line per socket.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../log/logger.js';

/** How long a refused client has to read the refusal and close. */
export const REFUSAL_GRACE_MS = 2_000;
/** Refused sockets allowed to linger for their grace at once; more are closed at once. */
export const MAX_LINGERING_REFUSALS = 64;
/** At most one log line per this interval, with the count of refusals since the last. */
export const REFUSAL_LOG_INTERVAL_MS = 10_000;

export class Refusals {
  readonly #logger: Logger;
  #lingering = 0;
  #unlogged = 0;
  #lastLog = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** `text` (protocol words) is sent when there is room for it; undefined closes at once. */
  refuse(socket: Socket, text: string | undefined, detail: Record<string, unknown>): void {
    this.#log(detail);
    if (text === undefined || this.#lingering >= MAX_LINGERING_REFUSALS) {
      socket.destroy();
      return;
    }
    this.#lingering += 1;
    socket.once('close', () => (this.#lingering -= 1));
    socket.end(text);
    setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS).unref();
  }

  #log(detail: Record<string, unknown>): void {
    this.#unlogged += 1;
    const now = Date.now();
    if (now - this.#lastLog < REFUSAL_LOG_INTERVAL_MS) return;
    this.#logger.info({ ...detail, refused: this.#unlogged }, 'connections refused: limit');
    this.#unlogged = 0;
    this.#lastLog = now;
  }
}
