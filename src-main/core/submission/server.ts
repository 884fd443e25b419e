/**
 * The submission server (RFC 6409) on nodemailer's smtp-server, one instance per listener:
 * `submission` (587, STARTTLS) and `submissions` (465, implicit TLS, RFC 8314 §3.3). Mailport's
 * own listeners accept the sockets (admission, the TLS handshake on 465) and hand them to
 * `accept`; smtp-server never listens itself. Sign-in goes through the same accounts, throttle
 * and per-account limit as IMAP and POP3, and only over TLS; MAIL FROM must be an address the
 * account may use; a message is on disk, fsynced, before it is answered 250.
 */
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerAuthentication,
  type SMTPServerAuthenticationResponse,
  type SMTPServerDataStream,
  type SMTPServerOptions,
  type SMTPServerSession,
} from 'smtp-server';
import type { Account } from '../config/schema.js';
import type { LoginClient, LoginResult } from '../auth/login-result.js';
import { throttledText } from '../auth/throttled-text.js';
import type { Logger } from '../log/logger.js';
import { MAX_BAD_COMMANDS, MAX_RECIPIENTS, SESSION_IDLE_TIMEOUT_MS } from './limits.js';
import { maySendAs, senderRefusal } from './senders.js';

export interface SubmissionServices {
  readonly logger: Logger;
  readonly hostName: string;
  readonly authenticate: (
    user: string,
    password: string,
    client: LoginClient,
  ) => Promise<LoginResult>;
  /** The account as the settings have it now (senders added meanwhile count at once). */
  readonly findAccount: (name: string) => Account | undefined;
  /** The current certificate (a renewed one applies to the next STARTTLS). */
  readonly secureContext: () => SecureContext | undefined;
  readonly policy: () => { maxMessageBytes: number; preauthTimeoutMs: number };
  /** Queues the message durably; resolves once it is fsynced. */
  readonly enqueue: (message: Buffer, envelope: Envelope) => Promise<void>;
}

export interface Envelope {
  readonly account: string;
  readonly from: string;
  readonly to: readonly string[];
}

interface OpenSession {
  /** The socket's own peer (as admission and the throttle saw it, before smtp-server's view). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** `listeners.<name>.protocolLog`: the session's command and reply lines. */
  readonly protocolLog?: Logger | undefined;
  readonly closed: () => void;
  readonly closing: Promise<void>;
  /**
   * The enhanced status code context (smtp-server's name) for the next reply: the library
   * gives a refused MAIL FROM its 550 default, 5.1.1 (a bad mailbox), where RFC 3463 §3.8
   * says 5.7.1 (not authorized) for a sender the user may not use.
   */
  nextReplyContext?: string;
  /** Cleared at sign-in: the absolute pre-login deadline (limits.preauthTimeoutSeconds). */
  deadline?: NodeJS.Timeout | undefined;
}

/** An smtp-server error reply: the code, and smtp-server adds the enhanced code we give. */
function reply(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

export class SubmissionServer {
  readonly #smtp: SMTPServer;
  readonly #services: SubmissionServices;
  readonly #open = new Map<string, OpenSession>();
  readonly #queueing = new Set<Promise<void>>();

  constructor(services: SubmissionServices, { implicitTls }: { implicitTls: boolean }) {
    this.#services = services;
    const policy = services.policy();
    this.#smtp = new SMTPServer({
      name: services.hostName,
      banner: 'Mailport message submission',
      // 465: the listener did the TLS handshake (secured: no TLS work here); STARTTLS hidden.
      secure: implicitTls,
      secured: implicitTls,
      hideSTARTTLS: implicitTls,
      // RFC 6409 §4.3 / RFC 8314 §3: a password only inside TLS; AUTH required.
      allowInsecureAuth: false,
      authOptional: false,
      authMethods: ['PLAIN', 'LOGIN'],
      size: policy.maxMessageBytes,
      rejectOversized: true,
      hide8BITMIME: false,
      hideSMTPUTF8: false,
      hidePIPELINING: false,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: true,
      disabledCommands: implicitTls ? ['STARTTLS'] : [],
      maxAllowedUnauthenticatedCommands: MAX_BAD_COMMANDS,
      socketTimeout: SESSION_IDLE_TIMEOUT_MS,
      useXClient: false,
      useXForward: false,
      disableReverseLookup: true,
      // Only its command lines are taken, for the protocol log; smtp-server has already hidden
      // AUTH payloads and continuation lines ("/* secured */").
      logger: this.#commandLog() as unknown as SMTPServerOptions['logger'],
      // STARTTLS with Mailport's current certificate, whatever name the client asks for.
      SNICallback: (_name, callback) => callback(null, services.secureContext()),
      onAuth: (auth, session, callback) => {
        this.#onAuth(auth, session).then(
          (result) => callback(null, result),
          (err: Error) => callback(this.#clientError(err, 454, 'Sign-in is not possible now')),
        );
      },
      onMailFrom: (address, session, callback) => callback(this.#checkSender(address, session)),
      onRcptTo: (_address, session, callback) =>
        callback(
          session.envelope.rcptTo.length >= MAX_RECIPIENTS
            ? reply(452, `Too many recipients: at most ${MAX_RECIPIENTS} per message.`)
            : undefined,
        ),
      onData: (stream, session, callback) => {
        this.#onData(stream, session).then(
          () => callback(null, 'Queued for delivery'),
          (err: Error) =>
            callback(
              this.#clientError(err, 451, 'The message could not be queued; send it again later'),
            ),
        );
      },
      onClose: (session) => this.#open.get(session.id)?.closed(),
    });
    this.#smtp.on('error', (err) => services.logger.debug({ err }, 'submission connection error'));
  }

  /** Takes over an accepted (on 465: TLS) socket; `id` names the session in logs and status. */
  accept(socket: Socket, id: number, protocolLog?: Logger): { shutdown: (reason: string) => void } {
    const context = this.#services.secureContext();
    if (context) this.#smtp.secureContext.set('*', context); // STARTTLS without SNI uses '*'
    this.#smtp.options.size = this.#services.policy().maxMessageBytes; // the setting as it is now
    let closed!: () => void;
    const closing = new Promise<void>((resolve) => (closed = resolve));
    const key = String(id);
    const session: OpenSession = {
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      protocolLog,
      closed,
      closing,
    };
    this.#open.set(key, session);
    // From accept to signing in, however slowly the client sends: the same absolute deadline
    // as IMAP and POP3 (smtp-server's own timeout is an idle one, moved by every byte).
    session.deadline = setTimeout(
      () => this.#end(key, 'Sign in sooner: the time to sign in is over.'),
      this.#services.policy().preauthTimeoutMs,
    ).unref();
    socket.once('close', () => {
      clearTimeout(session.deadline);
      closed();
      this.#open.delete(key);
    });
    this.#smtp.connect(socket, { id: key });
    const connection = [...this.#smtp.connections].find((c) => c.id === key);
    if (connection) {
      const send = connection.send.bind(connection);
      connection.send = (code, data, context) => {
        const next = session.nextReplyContext;
        session.nextReplyContext = undefined;
        // RFC 4954 §4 / RFC 6409 §4.3: no password mechanism is offered before TLS (the EHLO
        // reply is the only multi-line 250), so a client upgrades instead of trying AUTH.
        const lines =
          Array.isArray(data) && !connection.secure
            ? data.filter((line) => !String(line).startsWith('AUTH '))
            : data;
        send(code, lines, context ?? next);
        const first = Array.isArray(lines) ? lines[0] : lines;
        session.protocolLog?.info(`S: ${code}${first ? ` ${String(first)}` : ''}`);
      };
    }
    return { shutdown: (reason) => this.#end(key, reason) };
  }

  /**
   * Lets messages being queued reach the disk (their clients then hear 250), then says 421 to
   * every session and closes it. smtp-server's own close() cannot: it never listened here.
   */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#queueing]);
    for (const connection of this.#smtp.connections) {
      connection.send(421, 'Mailport is shutting down: try again later.');
      connection.close();
    }
  }

  #end(id: string, reason: string): void {
    for (const connection of this.#smtp.connections) {
      if (connection.id !== id) continue;
      connection.send(421, `${reason}`);
      connection.close();
    }
  }

  async #onAuth(
    auth: SMTPServerAuthentication,
    session: SMTPServerSession,
  ): Promise<SMTPServerAuthenticationResponse> {
    const open = this.#open.get(session.id);
    const client: LoginClient = {
      remoteAddress: open?.remoteAddress ?? session.remoteAddress,
      remotePort: open?.remotePort ?? session.remotePort,
      closed: open?.closing ?? Promise.resolve(),
      end: (reason) => this.#end(session.id, reason),
    };
    const result = await this.#services.authenticate(
      auth.username ?? '',
      auth.password ?? '',
      client,
    );
    if (result.ok) {
      clearTimeout(open?.deadline);
      this.#services.logger.info(
        { account: result.account.name, remote: session.remoteAddress },
        'submission login',
      );
      // Only the name goes into smtp-server's session (it logs `session.user`), never the hash.
      return { user: result.account.name };
    }
    switch (result.reason) {
      case 'credentials':
        throw reply(535, 'Authentication failed.');
      case 'throttled':
        throw reply(454, throttledText(result.scope, result.retryAfterSeconds));
      case 'too-many-sessions':
        throw reply(454, `This account already has ${result.limit} connections open.`);
    }
  }

  /** A bunyan-shaped sink for smtp-server's log: each client command into its session's log. */
  #commandLog(): Record<string, (entry: Record<string, unknown>, ...args: unknown[]) => void> {
    const write = (entry: Record<string, unknown>, message?: unknown, line?: unknown): void => {
      if (entry.tnx !== 'command' || message !== 'C:') return;
      this.#open.get(String(entry.cid))?.protocolLog?.info(`C: ${String(line)}`);
    };
    return { debug: write, info: () => undefined, trace: () => undefined };
  }

  /**
   * A failure of ours (a disk, the settings) is logged in full; the client gets a temporary
   * code and a short reason, never a path or a stack. Replies already meant for it pass.
   */
  #clientError(err: Error, code: number, text: string): Error {
    if ('responseCode' in err) return err;
    this.#services.logger.error({ err }, 'submission: server error');
    return reply(code, `${text}.`);
  }

  #checkSender(address: SMTPServerAddress, session: SMTPServerSession): Error | undefined {
    const account =
      typeof session.user === 'string' ? this.#services.findAccount(session.user) : undefined;
    if (!account) return reply(530, 'Authentication required.');
    if (maySendAs(account, address.address)) return undefined;
    this.#services.logger.info(
      { account: account.name, from: address.address },
      'submission sender refused',
    );
    const open = this.#open.get(session.id);
    if (open) open.nextReplyContext = 'POLICY_VIOLATION'; // 5.7.1
    return reply(550, senderRefusal(account, address.address));
  }

  async #onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const limit = this.#services.policy().maxMessageBytes;
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
    }
    // Over the limit: smtp-server answers 552 itself (rejectOversized); nothing is queued.
    if (stream.sizeExceeded || bytes > limit)
      throw reply(552, `The message is larger than ${limit} bytes.`);
    const queued = this.#services.enqueue(Buffer.concat(chunks), {
      account: String(session.user),
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address),
    });
    this.#queueing.add(queued); // close() lets it finish, so its client still hears 250
    try {
      await queued;
    } finally {
      this.#queueing.delete(queued);
    }
  }
}
