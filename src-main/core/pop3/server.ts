/**
 * The POP3 server: its sessions, and a clean close (`-ERR [SYS/TEMP]`, no UPDATE: nothing is
 * deleted). Listening sockets belong to `net/`.
 */
import type { Socket } from 'node:net';
import { SessionServer } from '../net/session-server.js';
import type { Pop3Services } from './services.js';
import { Pop3Session, type Pop3SessionOptions } from './session.js';

export class Pop3Server extends SessionServer<Pop3Session> {
  readonly #services: Pop3Services;

  constructor(services: Pop3Services) {
    super();
    this.#services = services;
  }

  accept(socket: Socket, options: Pop3SessionOptions): Pop3Session {
    const session = new Pop3Session(socket, this.#services, options);
    this.run(session);
    return session;
  }
}
