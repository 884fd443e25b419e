/**
 * One POP3 connection: line framing, the command dispatcher that owns the shared policy
 * (allowed state, bad-command budget, timeouts), replies, streamed message bodies and STLS.
 * Commands see only `Pop3Context`.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SessionSocket } from '../net/session-socket.js';
import type { Readable } from 'node:stream';
import type { Logger } from '../log/logger.js';
import { redactCommand } from '../log/logger.js';
import type { Pop3Context } from './command.js';
import { POP3_COMMANDS } from './commands/index.js';
import { DotStuffer, DotStuffTransform } from './dot-stuff.js';
import type { WireBytes } from '../store/types.js';
import { LineReader, type LineEvent } from './line-reader.js';
import { MAX_BAD_COMMANDS, MAX_LINE_BYTES, MAX_QUEUED_LINES } from './limits.js';
import { statusLine, type StatusIndicator } from './status-line.js';
import { quoteInput } from '../net/client-text.js';
import type { Pop3Services } from './services.js';
import type { Pop3State } from './state.js';

/** How long a shutting-down server waits for a client to close its side. */
const SHUTDOWN_GRACE_MS = 1_000;

export interface Pop3SessionOptions {
  /** True on an implicit-TLS port. */
  readonly secure: boolean;
  /** Wraps the socket in TLS for STLS; absent when no certificate is available. */
  readonly upgradeToTls?: (socket: Socket) => Promise<TLSSocket>;
  /** This session's protocol log, when its listener has one. */
  readonly protocolLog?: Logger;
  /** When the socket was accepted (epoch ms; default: now): the pre-login deadline counts from it. */
  readonly acceptedAt?: number;
}

export class Pop3Session {
  state: Pop3State = { kind: 'authorization' };
  readonly remoteAddress: string;
  readonly #services: Pop3Services;
  readonly #options: Pop3SessionOptions;
  readonly #log: Logger;
  readonly #socket: SessionSocket;
  #secure: boolean;
  readonly #reader = new LineReader(MAX_LINE_BYTES);
  readonly #queue: LineEvent[] = [];
  #busy = false;
  #badCommands = 0;
  /** Resolves with the client's SASL line, or undefined for a line over MAX_LINE_BYTES. */
  #awaitingSasl: ((line: string | undefined) => void) | undefined;
  readonly #closedPromise: Promise<void>;
  readonly #remotePort: number;
  #resolveClosed!: () => void;

  constructor(socket: Socket, services: Pop3Services, options: Pop3SessionOptions) {
    this.#services = services;
    this.#options = options;
    this.#secure = options.secure;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.#remotePort = socket.remotePort ?? 0;
    this.#log = services.logger.child({ component: 'pop3', remote: this.remoteAddress });
    this.#closedPromise = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#socket = new SessionSocket(socket, {
      data: this.#onData,
      timeout: this.#onTimeout,
      close: this.#onClose,
      error: (err) => this.#log.debug({ err: err.message }, 'connection error'),
    });
  }

  /** Sends the greeting and starts reading. Resolves when the connection is gone. */
  start(): Promise<void> {
    this.#armLoginDeadline();
    this.#write('+OK Mailport POP3 ready.\r\n');
    return this.#closedPromise;
  }

  /** Ends the session without an UPDATE (server shutdown): nothing marked is deleted. */
  shutdown(reason: string): void {
    if (this.#socket.ending) return;
    this.#status('-ERR', `[SYS/TEMP] ${reason}`);
    this.#socket.end(SHUTDOWN_GRACE_MS);
  }

  /** After login, the idle timeout; before it, the login deadline alone (below). */
  #armTimeout(): void {
    if (this.state.kind === 'authorization') return;
    this.#socket.signedIn(this.#services.policy().idleTimeoutMs);
  }

  /** The pre-login deadline from accept (`SessionSocket.armLoginDeadline`). */
  #armLoginDeadline(): void {
    const acceptedAt = this.#options.acceptedAt ?? Date.now();
    this.#socket.armLoginDeadline(acceptedAt, this.#services.policy().preauthTimeoutMs, (text) => {
      this.#write(`-ERR ${text}\r\n`);
      this.#end();
    });
  }

  readonly #onData = (chunk: Buffer): void => {
    for (const event of this.#reader.push(chunk)) {
      if (this.#awaitingSasl) {
        // The next line, however long, is the SASL response: an overlong one fails AUTH.
        const resolve = this.#awaitingSasl;
        this.#awaitingSasl = undefined;
        resolve(event.kind === 'line' ? event.text : undefined);
      } else {
        this.#queue.push(event);
      }
    }
    if (this.#queue.length > MAX_QUEUED_LINES) this.#socket.pause();
    void this.#drain();
  };

  readonly #onTimeout = (): void => {
    this.#status('-ERR', 'Disconnected for inactivity.');
    this.#end();
  };

  readonly #onClose = (): void => {
    this.#awaitingSasl?.('*');
    const state = this.state;
    if (state.kind === 'transaction') {
      // No QUIT: RFC 1939 §6 — nothing marked by DELE is removed. The session is over once
      // the mailbox is closed (its state written), so a server stopping waits for that.
      this.state = { kind: 'update' };
      void state.mailbox
        .close()
        .catch(() => undefined)
        .finally(() => {
          state.releaseLock();
          this.#resolveClosed();
        });
      return;
    }
    this.#resolveClosed();
  };

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0 && !this.#socket.ending) {
        const event = this.#queue.shift()!;
        if (event.kind === 'overflow') {
          this.#refuse(`Line too long (the limit is ${MAX_LINE_BYTES} octets).`);
        } else {
          await this.#execute(event.text);
        }
        if (this.#queue.length <= MAX_QUEUED_LINES / 2) this.#socket.resume();
      }
    } finally {
      this.#busy = false;
    }
  }

  async #execute(line: string): Promise<void> {
    this.#options.protocolLog?.info(`C: ${redactCommand(line)}`);
    const space = line.indexOf(' ');
    const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const args = space === -1 ? '' : line.slice(space + 1);
    const command = POP3_COMMANDS.get(verb);
    if (!command) {
      this.#refuse(verb ? `Unknown command ${quoteInput(verb)}.` : 'Empty command.');
      return;
    }
    if (!command.states.includes(this.state.kind)) {
      this.#refuse(
        `${verb} is not allowed ${this.state.kind === 'authorization' ? 'before' : 'after'} login.`,
      );
      return;
    }
    const wasAuthorization = this.state.kind === 'authorization';
    try {
      await command.handle(this.#context(), args);
    } catch (err) {
      this.#log.error({ err, command: verb }, 'POP3 command failed');
      this.#status('-ERR', '[SYS/TEMP] Internal error occurred. Try again later.');
    }
    if (wasAuthorization && this.state.kind === 'transaction') this.#armTimeout();
  }

  /** A refused command: `-ERR`, and the connection ends when the budget is spent. */
  #refuse(text: string): void {
    this.#status('-ERR', text);
    this.#countBad();
  }

  #countBad(): void {
    this.#badCommands += 1;
    if (this.#badCommands >= MAX_BAD_COMMANDS) {
      this.#status('-ERR', 'Too many bad commands, closing the connection.');
      this.#end();
    }
  }

  #context(): Pop3Context {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context's state is the session's
    const session = this;
    return {
      services: this.#services,
      secure: this.#secure,
      remoteAddress: this.remoteAddress,
      client: {
        remoteAddress: this.remoteAddress,
        remotePort: this.#remotePort,
        closed: this.#closedPromise,
        end: (reason: string) => this.shutdown(reason),
      },
      get state() {
        return session.state;
      },
      set state(next) {
        session.state = next;
      },
      ok: (text) => this.#status('+OK', text),
      err: (text) => this.#status('-ERR', text),
      multiline: (text, lines) => this.#writeMultiline(text, lines),
      sendMessage: (text, body, maxBodyLines) => this.#sendMessage(text, body, maxBodyLines),
      continuation: (challenge) => this.#continuation(challenge),
      countBad: () => this.#countBad(),
      startTls: this.#options.upgradeToTls && !this.#secure ? () => this.#startTls() : undefined,
      close: () => this.#end(),
    };
  }

  #write(text: string): void {
    this.#options.protocolLog?.info(`S: ${text.trimEnd().split('\r\n')[0]}`);
    this.#socket.write(text);
  }

  /** Every status line goes out here: printable, at most 512 octets (RFC 1939 §3). */
  #status(indicator: StatusIndicator, text: string): void {
    this.#write(statusLine(indicator, text));
  }

  #writeMultiline(text: string, lines: readonly string[]): void {
    const body = lines.map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n');
    this.#write(`${statusLine('+OK', text)}${body}${lines.length ? '\r\n' : ''}.\r\n`);
  }

  /**
   * Sends a message body: one read whole at once, a stream with backpressure (a client that
   * leaves mid-way stops the read). Message bytes never go to the protocol log.
   */
  async #sendMessage(
    text: string,
    body: Readable | WireBytes,
    maxBodyLines?: number,
  ): Promise<void> {
    if ('release' in body) {
      const stuffer = new DotStuffer(maxBodyLines === undefined ? {} : { maxBodyLines });
      this.#socket.cork();
      this.#status('+OK', text);
      // Most messages need no stuffing and go out as they are, from reusable memory.
      this.#socket.write(stuffer.push(body.bytes), body.release);
      this.#socket.write(stuffer.end());
      this.#socket.uncork();
      await this.#socket.drained();
      return;
    }
    this.#status('+OK', text);
    const stuffed = body.pipe(
      new DotStuffTransform(maxBodyLines === undefined ? {} : { maxBodyLines }),
    );
    try {
      for await (const chunk of stuffed) {
        if (this.#socket.ending) break;
        await this.#socket.writeChunk(chunk as Buffer);
      }
    } catch (err) {
      this.#log.warn({ err }, 'message read failed mid-way; closing the connection');
      this.#socket.destroy(); // the client must not take a truncated message for a whole one
    } finally {
      body.destroy();
      stuffed.destroy();
    }
  }

  /** The client's next line, pipelined already or still to come; undefined when overlong. */
  #continuation(challenge: string): Promise<string | undefined> {
    this.#write(`+ ${challenge}\r\n`);
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued.kind === 'line' ? queued.text : undefined);
    return new Promise((resolve) => (this.#awaitingSasl = resolve));
  }

  async #startTls(): Promise<void> {
    const upgrade = this.#options.upgradeToTls;
    if (!upgrade) return;
    // RFC 2595 §3.1 / CVE-2011-0411: what was pipelined after STLS must not be executed.
    this.#queue.length = 0;
    this.#reader.discard();
    if (await this.#socket.upgrade(upgrade)) {
      this.#secure = true;
      this.#armTimeout();
    } else {
      this.#log.info('STLS handshake failed');
    }
  }

  #end(graceMs = 5_000): void {
    this.#socket.end(graceMs);
  }
}
