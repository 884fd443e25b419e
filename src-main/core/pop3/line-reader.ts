/**
 * Splits POP3 input into lines (CRLF, or LF alone from sloppy clients). A line over the limit
 * is reported once as `overflow` and the rest of it is skipped up to its line end.
 */
export type LineEvent = { kind: 'line'; text: string } | { kind: 'overflow' };

export class LineReader {
  readonly #maxBytes: number;
  #buffer = Buffer.alloc(0);
  #skipping = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let data = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a)) {
      const end = nl > 0 && data[nl - 1] === 0x0d ? nl - 1 : nl;
      if (this.#skipping) this.#skipping = false;
      else if (end > this.#maxBytes) events.push({ kind: 'overflow' });
      else events.push({ kind: 'line', text: data.subarray(0, end).toString('latin1') });
      data = data.subarray(nl + 1);
    }
    if (data.length > this.#maxBytes) {
      if (!this.#skipping) events.push({ kind: 'overflow' });
      this.#skipping = true;
      data = Buffer.alloc(0);
    }
    this.#buffer = Buffer.from(data);
    return events;
  }

  /** Drops whatever was received and not yet returned (after STLS: RFC 2595 §3.1 injection). */
  discard(): void {
    this.#buffer = Buffer.alloc(0);
    this.#skipping = false;
  }
}
