/** The IMAP server: its sessions, and a clean close (`* BYE`). */
import type { Socket } from 'node:net';
import { SessionServer } from '../net/session-server.js';
import type { ImapServices } from './services.js';
import { ImapSession, type ImapSessionOptions } from './session.js';

export class ImapServer extends SessionServer<ImapSession> {
  readonly #services: ImapServices;

  constructor(services: ImapServices) {
    super();
    this.#services = services;
  }

  accept(socket: Socket, options: ImapSessionOptions): ImapSession {
    const session = new ImapSession(socket, this.#services, options);
    this.run(session);
    return session;
  }
}
