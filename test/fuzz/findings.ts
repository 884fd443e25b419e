/**
 * Failures by oracle class, with counts and the first few inputs of each, so one run reports
 * everything it found instead of stopping at the first failure.
 */

export type FindingClass =
  | 'crash'
  | 'hang'
  | 'invalid-response'
  | 'serverbug'
  | 'memory'
  | 'maildir'
  | 'error-log'
  | 'session-setup';

const EXAMPLES_KEPT = 5;
const EXAMPLE_CHARS = 600;
/** Examples kept of each distinct message. */
const EXAMPLES_PER_KIND = 3;

export interface Example {
  readonly what: string;
  /** The input(s) that led to it, JSON-escaped so they can be replayed byte for byte. */
  readonly inputs: readonly string[];
  readonly session: string;
}

export class Findings {
  readonly #byClass = new Map<
    FindingClass,
    { count: number; examples: Example[]; kinds: Map<string, number> }
  >();

  add(kind: FindingClass, what: string, session: string, inputs: readonly Buffer[] = []): void {
    let entry = this.#byClass.get(kind);
    if (!entry) this.#byClass.set(kind, (entry = { count: 0, examples: [], kinds: new Map() }));
    entry.count += 1;
    const key = what
      .replace(/"[^"]*"/g, '"…"')
      .replace(/\d+/g, 'N')
      .slice(0, 80);
    entry.kinds.set(key, (entry.kinds.get(key) ?? 0) + 1);
    // A few examples of each distinct message, so one noisy kind does not hide the others.
    if (entry.examples.length < EXAMPLES_KEPT * 4 && entry.kinds.get(key)! <= EXAMPLES_PER_KIND) {
      entry.examples.push({
        what: what.slice(0, EXAMPLE_CHARS),
        session,
        inputs: inputs.map(show),
      });
    }
  }

  get total(): number {
    let n = 0;
    for (const e of this.#byClass.values()) n += e.count;
    return n;
  }

  report(): string {
    if (this.#byClass.size === 0) return 'no findings';
    const out: string[] = [];
    for (const [kind, entry] of this.#byClass) {
      out.push(`${kind}: ${entry.count}`);
      for (const [key, n] of [...entry.kinds].sort((a, b) => b[1] - a[1]).slice(0, 12))
        out.push(`  ${n} × ${key}`);
      for (const ex of entry.examples.slice(0, EXAMPLES_KEPT * 4)) {
        out.push(`  - ${ex.what} [${ex.session}]`);
        for (const input of ex.inputs) out.push(`      input: ${input}`);
      }
    }
    return out.join('\n');
  }
}

/** Bytes as a JSON string (latin1), shortened in the middle when long. */
export function show(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  const cut =
    text.length > EXAMPLE_CHARS
      ? `${text.slice(0, 400)}…(${text.length} bytes)…${text.slice(-150)}`
      : text;
  return JSON.stringify(cut);
}
