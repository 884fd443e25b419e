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

const EXAMPLE_CHARS = 600;
/** Examples kept of each distinct message, and distinct messages listed per class. */
const EXAMPLES_PER_KIND = 2;
const KINDS_LISTED = 15;

export interface Example {
  readonly what: string;
  /** The input(s) that led to it, JSON-escaped so they can be replayed byte for byte. */
  readonly inputs: readonly string[];
  readonly session: string;
}

interface Kind {
  readonly key: string;
  count: number;
  readonly examples: Example[];
}

export class Findings {
  readonly #byClass = new Map<FindingClass, Map<string, Kind>>();

  add(kind: FindingClass, what: string, session: string, inputs: readonly Buffer[] = []): void {
    let kinds = this.#byClass.get(kind);
    if (!kinds) this.#byClass.set(kind, (kinds = new Map()));
    // Messages that differ only in quoted text or numbers are one kind of finding.
    const key = what
      .replace(/"[^"]*"/g, '"…"')
      .replace(/\d+/g, 'N')
      .slice(0, 100);
    let entry = kinds.get(key);
    if (!entry) kinds.set(key, (entry = { key, count: 0, examples: [] }));
    entry.count += 1;
    if (entry.examples.length < EXAMPLES_PER_KIND) {
      entry.examples.push({
        what: what.slice(0, EXAMPLE_CHARS),
        session,
        inputs: inputs.map(show),
      });
    }
  }

  get total(): number {
    let n = 0;
    for (const kinds of this.#byClass.values()) for (const k of kinds.values()) n += k.count;
    return n;
  }

  report(): string {
    if (this.#byClass.size === 0) return 'no findings';
    const out: string[] = [];
    for (const [kind, kinds] of this.#byClass) {
      const sorted = [...kinds.values()].sort((a, b) => b.count - a.count);
      out.push(`${kind}: ${sorted.reduce((n, k) => n + k.count, 0)}`);
      for (const entry of sorted.slice(0, KINDS_LISTED)) {
        out.push(`  ${entry.count} × ${entry.key}`);
        for (const ex of entry.examples) {
          out.push(`    - ${ex.what} [${ex.session}]`);
          for (const input of ex.inputs) out.push(`        input: ${input}`);
        }
      }
      if (sorted.length > KINDS_LISTED)
        out.push(`  … and ${sorted.length - KINDS_LISTED} more kinds`);
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
