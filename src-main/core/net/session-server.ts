/**
 * What IMAP and POP3 servers share: a set of live sessions and a clean close (each session says
 * goodbye in its protocol's words, then the server waits for them to end).
 */
export interface ProtocolSession {
  /** Greets and serves; resolves when the connection is gone. */
  start(): Promise<void>;
  /** Says goodbye without changing anything (no POP3 UPDATE) and closes. */
  shutdown(reason: string): void;
}

export class SessionServer<S extends ProtocolSession> {
  readonly #sessions = new Set<S>();
  readonly #finished = new Set<Promise<void>>();

  get sessionCount(): number {
    return this.#sessions.size;
  }

  run(session: S): void {
    this.#sessions.add(session);
    const finished = session.start().finally(() => {
      this.#sessions.delete(session);
      this.#finished.delete(finished);
    });
    this.#finished.add(finished);
  }

  async close(reason = 'Server shutting down.'): Promise<void> {
    for (const session of this.#sessions) session.shutdown(reason);
    await Promise.all(this.#finished);
  }
}
