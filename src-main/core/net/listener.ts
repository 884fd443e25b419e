/**
 * One listening socket (`imaps`, `imap`, `pop3s` or `pop3`). Implicit-TLS listeners wrap each
 * accepted socket in TLS with the *current* secure context, so a renewed certificate applies to
 * the next connection without dropping the open ones. Bind failures are reported with a remedy;
 * they never throw past `start()`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { ListenerName } from '../config/schema.js';
import type { AdmissionTicket } from './admission.js';

export type TlsMode = 'implicit' | 'starttls';

export interface ListenerSpec {
  readonly name: ListenerName;
  readonly port: number;
  /** An address to bind; '::' means every interface (IPv4 too). */
  readonly host: string;
  readonly tls: TlsMode;
}

export type ListenerState =
  | { readonly status: 'stopped' }
  | { readonly status: 'listening'; readonly address: string; readonly port: number }
  | { readonly status: 'failed'; readonly error: string; readonly remedy: string };

export interface Connection {
  readonly socket: Socket;
  /** True when the socket is already TLS (implicit-TLS port). */
  readonly secure: boolean;
  /** Its place in the connection counts, taken when the socket was accepted. */
  readonly ticket: AdmissionTicket;
}

/**
 * Admits an accepted socket, before any TLS work, or refuses it (and closes it itself):
 * undefined means refused.
 */
export type Admit = (socket: Socket) => AdmissionTicket | undefined;

/**
 * TLS handshakes that take longer than this are abandoned (implicit TLS and STARTTLS alike).
 * A real client finishes in well under a second, even on a slow phone link.
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export class Listener {
  readonly spec: ListenerSpec;
  #server: Server | undefined;
  #state: ListenerState = { status: 'stopped' };
  readonly #secureContext: () => SecureContext | undefined;
  readonly #admit: Admit;
  readonly #onConnection: (connection: Connection) => void;
  readonly #sockets = new Set<Socket>();

  constructor(
    spec: ListenerSpec,
    secureContext: () => SecureContext | undefined,
    admit: Admit,
    onConnection: (connection: Connection) => void,
  ) {
    this.spec = spec;
    this.#secureContext = secureContext;
    this.#admit = admit;
    this.#onConnection = onConnection;
  }

  get state(): ListenerState {
    return this.#state;
  }

  async start(): Promise<ListenerState> {
    if (this.spec.tls === 'implicit' && !this.#secureContext()) {
      this.#state = {
        status: 'failed',
        error: 'No TLS certificate is available.',
        remedy: 'Create one with `mailport cert renew`, or import your own.',
      };
      return this.#state;
    }
    const server = createServer({ pauseOnConnect: false }, (socket) => this.#accept(socket));
    this.#state = await listen(server, this.spec);
    if (this.#state.status === 'listening') this.#server = server;
    return this.#state;
  }

  /** Counted first (a handshake-less socket holds a place too), then TLS, then the session. */
  #accept(socket: Socket): void {
    socket.on('error', () => undefined); // a reset before the session listens is not a crash
    const ticket = this.#admit(socket);
    if (!ticket) return;
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      ticket.release();
    });
    socket.setNoDelay(true);
    if (this.spec.tls === 'starttls') {
      this.#onConnection({ socket, secure: false, ticket });
      return;
    }
    upgradeToTls(socket, this.#secureContext()).then(
      (secured) =>
        this.#onConnection({ socket: secured as unknown as Socket, secure: true, ticket }),
      () => socket.destroy(),
    );
  }

  /**
   * Stops accepting at once; open connections are left to their protocol servers to close
   * (net.Server's close callback would wait for them, so it is not awaited here).
   */
  stop(): void {
    this.#server?.close();
    this.#server = undefined;
    this.#state = { status: 'stopped' };
  }

  /** Destroys whatever connections remain (after the protocol servers said goodbye). */
  destroyConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
  }
}

/** Wraps an accepted socket in server-side TLS and waits for the handshake. */
export function upgradeToTls(
  socket: Socket,
  context: SecureContext | undefined,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    if (!context) {
      reject(new Error('no TLS certificate'));
      return;
    }
    const secured = new TLSSocket(socket, { isServer: true, secureContext: context });
    const timer = setTimeout(
      () => secured.destroy(new Error('TLS handshake timed out')),
      TLS_HANDSHAKE_TIMEOUT_MS,
    );
    secured.once('secure', () => {
      clearTimeout(timer);
      resolve(secured);
    });
    secured.once('error', (err) => {
      clearTimeout(timer);
      secured.destroy();
      reject(err);
    });
    // A client that hangs up mid-handshake: nothing to wait for (and no timer keeping
    // the process alive at shutdown).
    secured.once('close', () => {
      clearTimeout(timer);
      reject(new Error('closed during the TLS handshake'));
    });
  });
}

function listen(server: Server, spec: ListenerSpec): Promise<ListenerState> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.close();
      resolve({ status: 'failed', ...describeBindError(err, spec) });
    };
    server.once('error', onError);
    server.listen({ port: spec.port, host: spec.host, ipv6Only: false }, () => {
      server.off('error', onError);
      server.on('error', () => undefined);
      const address = server.address();
      if (address && typeof address === 'object') {
        resolve({ status: 'listening', address: address.address, port: address.port });
      } else {
        resolve({ status: 'listening', address: spec.host, port: spec.port });
      }
    });
  });
}

export function describeBindError(
  err: NodeJS.ErrnoException,
  spec: ListenerSpec,
): { error: string; remedy: string } {
  const where = `port ${spec.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return {
        error: `Another program is already using ${where}.`,
        remedy: `Choose another port for ${spec.name} (for example ${10000 + spec.port}), or stop the other program.`,
      };
    case 'EACCES':
    case 'EPERM':
      return {
        error: `Port ${spec.port} needs administrator rights on this system.`,
        remedy:
          process.platform === 'linux'
            ? `Choose ${spec.port < 1024 ? 10000 + spec.port : 'a port above 1023'}, or grant Node the right once: sudo setcap cap_net_bind_service=+ep "$(command -v node)".`
            : `Choose a port above 1023 (for example ${10000 + spec.port}).`,
      };
    case 'EADDRNOTAVAIL':
      return {
        error: `The address ${spec.host} does not belong to this computer.`,
        remedy: 'Choose "all networks" or "this computer only" for the bind address.',
      };
    default:
      return { error: `Cannot listen on ${where}: ${err.message}`, remedy: 'Choose another port.' };
  }
}
