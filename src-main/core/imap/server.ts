/** The IMAP server: owns its sessions and closes them cleanly (`* BYE`). */
import type { Socket } from 'node:net';
import type { ImapServices } from './services.js';
import { ImapSession, type ImapSessionOptions } from './session.js';

export class ImapServer {
  readonly #services: ImapServices;
  readonly #sessions = new Set<ImapSession>();
  readonly #finished = new Set<Promise<void>>();

  constructor(services: ImapServices) {
    this.#services = services;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  accept(socket: Socket, options: ImapSessionOptions): void {
    const session = new ImapSession(socket, this.#services, options);
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
