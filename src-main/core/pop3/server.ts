/**
 * The POP3 server: owns its sessions and closes them cleanly. Listening sockets belong to
 * `net/`; it hands each accepted connection here.
 */
import type { Socket } from 'node:net';
import type { Pop3Services } from './services.js';
import { Pop3Session, type Pop3SessionOptions } from './session.js';

export class Pop3Server {
  readonly #services: Pop3Services;
  readonly #sessions = new Set<Pop3Session>();
  readonly #finished = new Set<Promise<void>>();

  constructor(services: Pop3Services) {
    this.#services = services;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  accept(socket: Socket, options: Pop3SessionOptions): void {
    const session = new Pop3Session(socket, this.#services, options);
    this.#sessions.add(session);
    const finished = session.start().finally(() => {
      this.#sessions.delete(session);
      this.#finished.delete(finished);
    });
    this.#finished.add(finished);
  }

  /** Says goodbye to every session (no UPDATE: nothing is deleted) and waits for them to end. */
  async close(reason = 'Server shutting down.'): Promise<void> {
    for (const session of this.#sessions) session.shutdown(reason);
    await Promise.all(this.#finished);
  }
}
