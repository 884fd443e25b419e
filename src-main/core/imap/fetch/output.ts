/**
 * Getting many FETCH responses out fast: each is built while earlier ones are being written
 * (reading the next files overlaps sending the last), and written in batches so the socket
 * gets few large writes instead of one per message.
 */
import type { ImapContext } from '../command.js';
import { byteLength, discardPart, isBytes, type OutputPart } from '../response.js';

/** Responses built ahead of the one being written. */
const PREFETCH = 8;
/** Output handed to the socket at a time. */
const BATCH_BYTES = 128 * 1024;

export type Built = { readonly parts: OutputPart[] } | { readonly error: unknown };

/**
 * The responses in order, each built while up to PREFETCH earlier ones are still being
 * written: reading the next files overlaps sending the last. Streams of responses left
 * unread (the loop ended early) are closed, their memory released.
 */
export async function* prefetched(
  uids: readonly number[],
  build: (uid: number) => Promise<OutputPart[]>,
): AsyncGenerator<Built> {
  const pending: Promise<Built>[] = [];
  let next = 0;
  const fill = (): void => {
    while (next < uids.length && pending.length < PREFETCH) {
      pending.push(
        build(uids[next++]!).then(
          (parts) => ({ parts }),
          (error: unknown) => ({ error }),
        ),
      );
    }
  };
  try {
    fill();
    while (pending.length > 0) {
      const built = await pending.shift()!;
      fill();
      yield built;
    }
  } finally {
    for (const left of pending.splice(0)) void left.then(discardBuilt);
  }
}

function discardBuilt(built: Built): void {
  if ('parts' in built) for (const part of built.parts) discardPart(part);
}

/**
 * Collects responses and hands them to the session in pieces of about BATCH_BYTES, so the
 * socket gets few large writes instead of one per message. A stream goes out at once.
 */
export class OutputBatch {
  readonly #ctx: ImapContext;
  #parts: OutputPart[] = [];
  #bytes = 0;

  constructor(ctx: ImapContext) {
    this.#ctx = ctx;
  }

  async add(parts: readonly OutputPart[]): Promise<void> {
    let streamed = false;
    for (const part of parts) {
      this.#parts.push(part);
      if (isBytes(part)) this.#bytes += byteLength(part);
      else streamed = true;
    }
    if (streamed || this.#bytes >= BATCH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    if (parts.length > 0) await this.#ctx.send(parts);
  }
}
