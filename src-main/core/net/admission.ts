/**
 * Connection admission: the total and per-address caps, counted from the moment a socket is
 * accepted (before any TLS handshake, so handshake-less sockets count and are refused without
 * TLS work), and a reserve for newcomers.
 *
 * The reserve (the way Dovecot's login processes keep room): when the total cap is reached, a
 * newcomer evicts the oldest connection that has *not signed in yet*, taken from the address
 * holding the most such connections. Authenticated sessions are never evicted for a newcomer.
 * So sockets parked before login (slow trickles, silent TLS handshakes) cannot keep a phone
 * from a fresh address out: the attacker's own oldest socket makes room, and a phone logs in
 * within moments of connecting, long before it would be the oldest of the largest group.
 * The per-address cap is never relaxed: a newcomer from an address at its cap is refused.
 */

export interface AdmissionLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
}

export type AdmissionRefusal = 'total' | 'address';

/** One admitted connection's place in the counts. */
export interface AdmissionTicket {
  readonly id: number;
  readonly address: string;
  /** When the socket was accepted (epoch ms): the pre-login deadline counts from here. */
  readonly acceptedAt: number;
  /** What eviction does to this connection (by default, whatever the admitter gave). */
  onEvict(evict: (reason: string) => void): void;
  /** Signed in: from now on never evicted for a newcomer. */
  authenticated(): void;
  /** Gone: frees its place (idempotent). */
  release(): void;
}

interface Entry {
  readonly id: number;
  readonly address: string;
  readonly acceptedAt: number;
  evict: (reason: string) => void;
  prelogin: boolean;
  released: boolean;
}

export const EVICTION_REASON = 'Too many connections are waiting to sign in; yours was the oldest.';

export class ConnectionAdmission {
  readonly #limits: () => AdmissionLimits;
  readonly #now: () => number;
  #ids = 0;
  #total = 0;
  readonly #byAddress = new Map<string, number>();
  /** Connections not signed in yet, per address, oldest first (Set keeps insertion order). */
  readonly #prelogin = new Map<string, Set<Entry>>();

  constructor(limits: () => AdmissionLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  get total(): number {
    return this.#total;
  }

  /**
   * Admits a connection from `address` or says which cap refuses it. Synchronous, so the
   * counts are exact however many sockets arrive at once. `evict` closes the connection if a
   * newcomer later needs its place (until `onEvict` replaces it).
   */
  admit(
    address: string,
    evict: (reason: string) => void,
  ): AdmissionTicket | { refused: AdmissionRefusal } {
    const limits = this.#limits();
    if ((this.#byAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress)
      return { refused: 'address' };
    while (this.#total >= limits.maxConnections) {
      const victim = this.#evictionCandidate();
      if (!victim) return { refused: 'total' };
      this.#release(victim);
      victim.evict(EVICTION_REASON);
    }
    const entry: Entry = {
      id: ++this.#ids,
      address,
      acceptedAt: this.#now(),
      evict,
      prelogin: true,
      released: false,
    };
    this.#total += 1;
    this.#byAddress.set(address, (this.#byAddress.get(address) ?? 0) + 1);
    let waiting = this.#prelogin.get(address);
    if (!waiting) this.#prelogin.set(address, (waiting = new Set()));
    waiting.add(entry);
    return {
      id: entry.id,
      address,
      acceptedAt: entry.acceptedAt,
      onEvict: (next) => (entry.evict = next),
      authenticated: () => this.#signedIn(entry),
      release: () => this.#release(entry),
    };
  }

  /** The oldest pre-login connection of the address with the most of them (ties: the oldest). */
  #evictionCandidate(): Entry | undefined {
    let best: Entry | undefined;
    let bestCount = 0;
    for (const waiting of this.#prelogin.values()) {
      const oldest = waiting.values().next().value;
      if (!oldest) continue;
      if (
        waiting.size > bestCount ||
        (waiting.size === bestCount && best && oldest.acceptedAt < best.acceptedAt)
      ) {
        best = oldest;
        bestCount = waiting.size;
      }
    }
    return best;
  }

  #signedIn(entry: Entry): void {
    if (!entry.prelogin) return;
    entry.prelogin = false;
    this.#forgetPrelogin(entry);
  }

  #forgetPrelogin(entry: Entry): void {
    const waiting = this.#prelogin.get(entry.address);
    waiting?.delete(entry);
    if (waiting?.size === 0) this.#prelogin.delete(entry.address);
  }

  #release(entry: Entry): void {
    if (entry.released) return;
    entry.released = true;
    this.#forgetPrelogin(entry);
    this.#total -= 1;
    const left = (this.#byAddress.get(entry.address) ?? 1) - 1;
    if (left > 0) this.#byAddress.set(entry.address, left);
    else this.#byAddress.delete(entry.address);
  }
}
