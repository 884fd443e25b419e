/** What every fuzz worker shares: the oracles' findings, the ports, the budget, the clock. */
import type { Findings } from './findings.js';

/** Generous: SEARCH TEXT over the corpus or a FETCH of every body is legitimately slow. */
export const REPLY_DEADLINE_MS = 10_000;

export interface FuzzContext {
  readonly findings: Findings;
  readonly ports: {
    readonly imap: number;
    readonly imaps: number;
    readonly pop3: number;
    readonly pop3s: number;
  };
  /** Inputs sent so far, by protocol. */
  readonly counts: { imap: number; pop3: number; sessions: number; lockWaitMs: number };
  /** Hangs already confirmed, by kind, so the run does not wait the deadline for each again. */
  readonly known: { zeroLiteralHangs: number };
  /** Each worker's latest inputs, for the report when the whole server stops answering. */
  readonly latest: Map<string, readonly Buffer[]>;
  /** Set when the server died or stopped answering altogether: the workers give up. */
  stopped: boolean;
}

/** A short label for where a finding happened, e.g. `imap#3 selected starttls`. */
export function label(protocol: string, worker: number, kind: string, session: number): string {
  return `${protocol} worker ${worker}, session ${session} (${kind})`;
}

/** A few random cut points in [1, length), or every byte when asked to trickle. */
export function cuts(next: (n: number) => number, length: number, trickle: boolean): number[] {
  if (trickle) return Array.from({ length: length - 1 }, (_, i) => i + 1);
  const n = 1 + next(7);
  return Array.from({ length: n }, () => 1 + next(Math.max(1, length - 1))).sort((a, b) => a - b);
}
