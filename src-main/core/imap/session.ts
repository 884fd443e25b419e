/**
 * One IMAP connection: framing, parsing, the dispatcher that owns the shared policy (allowed
 * state, bad-command budget, timeouts, pending EXISTS/EXPUNGE before the tagged reply),
 * output with backpressure, IDLE, SASL continuations and STARTTLS. Commands see only
 * `ImapContext`.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SessionSocket } from '../net/session-socket.js';
import { redactCommand, type Logger } from '../log/logger.js';
import { StoreError } from '../store/errors.js';
import { capabilities } from './capabilities.js';
import type { ImapCommand, ImapContext } from './command.js';
import { IMAP_COMMANDS } from './commands/index.js';
import { printableText, quoteInput } from '../net/client-text.js';
import { ArgumentError } from './args.js';
import { commandBudget } from './command-budget.js';
import { CommandReader, type CommandPart, type ReaderEvent } from './command-reader.js';
import { errorResult } from './errors.js';
import {
  IDLE_KEEPALIVE_MS,
  IDLE_NOTIFY_DELAY_MS,
  MAX_BAD_COMMANDS,
  MAX_BUFFERED_INPUT_BYTES,
  MAX_LOGGED_COMMAND_CHARS,
} from './limits.js';
import { MailboxView, UidValidityChanged } from './mailbox-view.js';
import { parseCommand, ParseError } from './parser.js';
import { withModseqNotice } from './qresync.js';
import {
  bad,
  discardPart,
  isBytes,
  ok,
  type CommandResult,
  type OutputPart,
  type StreamPart,
} from './response.js';
import type { ImapServices } from './services.js';
import type { ImapState } from './state.js';

/** How long a shutting-down server waits for a client to close its side. */
const SHUTDOWN_GRACE_MS = 1_000;
/**
 * Output the socket may still hold when a command's writer goes on to build more: a long
 * FETCH keeps reading messages while the kernel sends the last ones, instead of waiting for
 * each batch to drain (10,000 messages, BODY.PEEK[] over loopback: 415 → 365 ms warm). A
 * slow client holds a session at this much more memory than the batch being written.
 */
const SEND_AHEAD_BYTES = 256 * 1024;

export interface ImapSessionOptions {
  readonly secure: boolean;
  readonly upgradeToTls?: (socket: Socket) => Promise<TLSSocket>;
  /** This session's protocol log, when its listener has one. */
  readonly protocolLog?: Logger;
  /** When the socket was accepted (epoch ms; default: now): the pre-login deadline counts from it. */
  readonly acceptedAt?: number;
}

/** A framed event the session acts on ("+" requests are written as they are framed). */
type Framed = Exclude<ReaderEvent, { kind: 'continue' }>;

export class ImapSession {
  state: ImapState = { kind: 'not-authenticated' };
  readonly remoteAddress: string;
  readonly enabled = new Set<string>();
  readonly #services: ImapServices;
  readonly #options: ImapSessionOptions;
  readonly #log: Logger;
  readonly #socket: SessionSocket;
  #secure: boolean;
  readonly #reader: CommandReader;
  #busy = false;
  #badCommands = 0;
  /** A running command waits for a continuation line (SASL response, IDLE's DONE). */
  #awaitingLine = false;
  #lineWaiter: ((event: Framed | undefined) => void) | undefined;
  #idleWake: (() => void) | undefined;
  #pendingTls = false;
  #pendingCompression = false;
  #logoutAfterReply = false;
  /**
   * Untagged lines a command gives in one go (SELECT gives seven) leave as one write rather
   * than a system call each: they wait here until the running code yields (a microtask) or
   * anything else is written, whichever comes first, so the order on the wire is kept.
   */
  #untagged: string[] = [];
  readonly #closedPromise: Promise<void>;
  readonly #remotePort: number;
  #resolveClosed!: () => void;

  constructor(socket: Socket, services: ImapServices, options: ImapSessionOptions) {
    this.#services = services;
    this.#options = options;
    this.#secure = options.secure;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.#remotePort = socket.remotePort ?? 0;
    this.#log = services.logger.child({ component: 'imap', remote: this.remoteAddress });
    this.#reader = new CommandReader((verb) =>
      commandBudget(
        {
          loggedIn: this.state.kind !== 'not-authenticated',
          awaitingLine: this.#awaitingLine,
          // Asked only for APPEND: the policy is built from the settings (a deep copy).
          get maxMessageBytes() {
            return services.policy().maxMessageBytes;
          },
        },
        verb,
      ),
    );
    this.#closedPromise = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#socket = new SessionSocket(socket, {
      data: this.#onData,
      timeout: this.#onTimeout,
      close: this.#onClose,
      error: (err) => this.#log.debug({ err: err.message }, 'connection error'),
    });
  }

  start(): Promise<void> {
    this.#armLoginDeadline();
    this.#write(`* OK [CAPABILITY ${this.#capabilities().join(' ')}] Mailport IMAP ready.\r\n`);
    return this.#closedPromise;
  }

  shutdown(reason: string): void {
    if (this.#socket.ending) return;
    this.#write(`* BYE ${reason}\r\n`);
    this.#socket.end(SHUTDOWN_GRACE_MS);
  }

  #capabilities(): string[] {
    const policy = this.#services.policy();
    return capabilities({
      state: this.state.kind,
      secure: this.#secure,
      canStartTls: !!this.#options.upgradeToTls && !this.#secure,
      loginAllowed: this.#secure || policy.loginPolicy === 'plaintext',
      appendLimit: policy.maxMessageBytes,
      canCompress: policy.compress,
    });
  }

  /** After login, the idle timeout; before it, the login deadline alone (below). */
  #armTimeout(): void {
    if (this.state.kind === 'not-authenticated') return;
    this.#socket.signedIn(this.#services.policy().idleTimeoutMs);
  }

  /** The pre-login deadline from accept (`SessionSocket.armLoginDeadline`). */
  #armLoginDeadline(): void {
    const acceptedAt = this.#options.acceptedAt ?? Date.now();
    this.#socket.armLoginDeadline(acceptedAt, this.#services.policy().preauthTimeoutMs, (text) => {
      this.#write(`* BYE ${text}\r\n`);
      this.#end();
    });
  }

  /**
   * Bytes are framed only when the session can act on them: by the command loop between
   * commands, or for a command that waits for a continuation line. Meanwhile they wait in
   * the reader, and reading pauses when too many wait.
   */
  readonly #onData = (chunk: Buffer): void => {
    if (this.#socket.ending) return;
    this.#reader.push(chunk);
    if (this.#reader.bufferedBytes > MAX_BUFFERED_INPUT_BYTES) this.#socket.pause();
    if (this.#lineWaiter) {
      const event = this.#nextEvent();
      if (!event) return;
      const resolve = this.#lineWaiter;
      this.#lineWaiter = undefined;
      resolve(event);
    } else {
      void this.#drain();
    }
  };

  /** The next framed command or refusal; "+" requests on the way are answered here. */
  #nextEvent(): Framed | undefined {
    for (;;) {
      const event = this.#reader.next();
      if (this.#reader.bufferedBytes <= MAX_BUFFERED_INPUT_BYTES / 2) this.#socket.resume();
      if (event?.kind !== 'continue') return event;
      this.#write('+ Ready for literal data\r\n');
    }
  }

  readonly #onTimeout = (): void => {
    this.#write('* BYE Disconnected for inactivity.\r\n');
    this.#end();
  };

  readonly #onClose = (): void => {
    this.#lineWaiter?.(undefined);
    this.#idleWake?.();
    const state = this.state;
    this.state = { kind: 'logout' };
    const done = state.kind === 'selected' ? state.view.close() : Promise.resolve();
    void done.catch(() => undefined).finally(() => this.#resolveClosed());
  };

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (!this.#socket.ending) {
        const event = this.#nextEvent();
        if (!event) break;
        if (event.kind === 'command') await this.#execute(event.parts);
        else this.#refused(event);
      }
    } finally {
      this.#busy = false;
    }
  }

  /** A command the reader refused: BAD, counted; or BYE when it cannot be skipped. */
  #refused(event: Exclude<Framed, { kind: 'command' }>): void {
    if (event.kind === 'fatal') {
      this.#closeForInput(event.text);
      return;
    }
    this.#replyRaw(event.tag ?? '*', `BAD ${printableText(event.text)}`);
    this.#countBad();
  }

  /**
   * BYE for input that cannot be skipped. Reading goes on, so the client's close is seen at
   * once, but whatever arrives is dropped unread (`#onData` while ending).
   */
  #closeForInput(reason: string): void {
    this.shutdown(reason);
  }

  async #execute(parts: readonly CommandPart[]): Promise<void> {
    this.#options.protocolLog?.info(`C: ${redactCommand(logPreview(parts))}`);
    let parsed;
    try {
      parsed = parseCommand(parts);
    } catch (err) {
      // Whatever the client sent, a parse failure is the client's: BAD, counted (RFC 3501 §7.1.3).
      if (!(err instanceof ParseError)) this.#log.error({ err }, 'IMAP parser failed');
      const tag = err instanceof ParseError ? err.tag : undefined;
      this.#replyRaw(tag ?? '*', `BAD ${printableText((err as Error).message)}`);
      this.#countBad();
      return;
    }
    const { tag, name, args } = parsed;
    const command = IMAP_COMMANDS.get(name);
    if (!command) {
      this.#reply(tag, bad(`Unknown command ${quoteInput(name)}`));
      this.#countBad();
      return;
    }
    if (!command.states.includes(this.state.kind as never)) {
      this.#reply(tag, bad(this.#wrongState(command)));
      this.#countBad();
      return;
    }
    const wasAuthenticated = this.state.kind !== 'not-authenticated';
    let result: CommandResult;
    try {
      result = await command.handle(this.#context(tag), args);
    } catch (err) {
      result = errorResult(err, this.#log);
    }
    const notice = await this.#flushChanges(command.allowsExpunge ?? true);
    this.#reply(
      tag,
      withModseqNotice(result, notice, (line) => this.#write(`* ${line}\r\n`)),
    );
    if (result.status === 'BAD') this.#countBad(); // after the reply: the last BAD precedes BYE
    if (!wasAuthenticated && this.state.kind !== 'not-authenticated') this.#armTimeout();
    if (this.#pendingTls) await this.#startTls();
    if (this.#pendingCompression) this.#startCompression();
    if (this.#logoutAfterReply) {
      // Output a command left unsent (SEND_AHEAD_BYTES) goes out before the grace period of
      // the close starts: a slow client gets the whole FETCH before LOGOUT's BYE and OK.
      await this.#socket.drained();
      this.#end();
    }
  }

  #wrongState(command: ImapCommand): string {
    const name = command.name;
    switch (this.state.kind) {
      case 'not-authenticated':
        return `${name} needs you to log in first`;
      case 'authenticated':
      case 'selected':
        // RFC 3501 §6.2: LOGIN, AUTHENTICATE and STARTTLS belong to the not-authenticated state.
        if (!command.states.includes('authenticated')) return `${name}: you are already logged in`;
        return `${name} needs a selected mailbox`;
      default:
        return `${name} is not allowed now`;
    }
  }

  /**
   * Untagged EXISTS/EXPUNGE/FETCH for changes made elsewhere, at the points RFC 3501 §7.4.1
   * allows. Returns the HIGHESTMODSEQ a QRESYNC client is to be given (`modseqNotice`).
   */
  async #flushChanges(allowExpunge: boolean): Promise<number | undefined> {
    if (this.state.kind !== 'selected') return undefined;
    try {
      const view = this.state.view;
      for (const line of await view.refresh(allowExpunge)) this.#write(`* ${line}\r\n`);
      return view.modseqNotice();
    } catch (err) {
      if (err instanceof StoreError && err.code === 'NOT_FOUND') {
        this.shutdown('The selected mailbox was deleted by another session.');
      } else if (err instanceof UidValidityChanged) {
        this.shutdown('The mailbox was reset (its UIDVALIDITY changed): select it again.');
      }
      return undefined;
    }
  }

  /** A tagged reply; its text may quote the client, so it is made one printable line. */
  #reply(tag: string, result: CommandResult): void {
    const code = result.code ? `[${result.code}] ` : '';
    this.#replyRaw(tag, `${result.status} ${code}${printableText(result.text)}`);
  }

  #replyRaw(tag: string, text: string): void {
    this.#write(`${tag} ${text}\r\n`);
  }

  #countBad(): void {
    this.#badCommands += 1;
    if (this.#badCommands >= MAX_BAD_COMMANDS) this.shutdown('Too many invalid commands.');
  }

  #context(tag: string): ImapContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context's state is the session's
    const session = this;
    return {
      services: this.#services,
      tag,
      secure: this.#secure,
      remoteAddress: this.remoteAddress,
      client: {
        remoteAddress: this.remoteAddress,
        remotePort: this.#remotePort,
        closed: this.#closedPromise,
        end: (reason: string) => this.shutdown(reason),
      },
      enabled: this.enabled,
      get state() {
        return session.state;
      },
      set state(next) {
        session.state = next;
      },
      untagged: (text) => this.#queueUntagged(`* ${text}\r\n`),
      send: (parts) => this.#send(parts),
      continuation: (text) => this.#continuation(text),
      capabilities: () => this.#capabilities(),
      compressed: this.#socket.compressed,
      // A getter: the policy (a deep copy of the settings) is read by COMPRESS alone, not
      // for every command.
      get startCompression() {
        return session.#services.policy().compress
          ? () => {
              session.#pendingCompression = true;
            }
          : undefined;
      },
      startTls:
        this.#options.upgradeToTls && !this.#secure
          ? () => {
              this.#pendingTls = true;
            }
          : undefined,
      idle: () => this.#idle(tag),
      openView: (name, readOnly) => this.#openView(name, readOnly),
      logout: () => {
        this.#logoutAfterReply = true;
      },
    };
  }

  async #openView(name: string, readOnly: boolean): Promise<MailboxView> {
    if (this.state.kind !== 'authenticated' && this.state.kind !== 'selected')
      throw new Error('not logged in');
    const mailbox = await this.state.store.openMailbox(name);
    try {
      return await MailboxView.open(mailbox, readOnly, () => this.#idleWake?.());
    } catch (err) {
      await mailbox.close();
      throw err;
    }
  }

  #write(data: string | Buffer): void {
    if (typeof data !== 'string') {
      this.#flushUntagged();
      this.#socket.write(data);
      return;
    }
    this.#options.protocolLog?.info(`S: ${data.split('\r\n')[0]}`);
    // Queued untagged lines and this text go out as one write: one system call (and one
    // segment) for a SELECT's seven lines and its tagged reply, not two.
    if (this.#untagged.length === 0) this.#socket.write(data);
    else this.#socket.write(this.#takeUntagged() + data);
  }

  #queueUntagged(line: string): void {
    this.#options.protocolLog?.info(`S: ${line.split('\r\n')[0]}`);
    if (this.#untagged.push(line) === 1) queueMicrotask(() => this.#flushUntagged());
  }

  #flushUntagged(): void {
    if (this.#untagged.length > 0) this.#socket.write(this.#takeUntagged());
  }

  #takeUntagged(): string {
    const lines = this.#untagged.join('');
    this.#untagged = [];
    return lines;
  }

  async #send(parts: readonly OutputPart[]): Promise<void> {
    this.#flushUntagged(); // before any part, a latin1 one written to the socket directly too
    let index = 0;
    try {
      while (index < parts.length && !this.#socket.ending) {
        const part = parts[index]!;
        if (isBytes(part)) {
          // Text and buffers in a row go out as one write.
          this.#socket.cork();
          for (let next: OutputPart | undefined = part; isBytes(next); next = parts[++index]) {
            if (typeof next === 'string' || Buffer.isBuffer(next)) this.#write(next);
            else this.#socket.write(next.bytes, next.release); // reused once the socket has it
          }
          this.#socket.uncork();
        } else {
          index += 1;
          if (!(await this.#stream(part))) return;
        }
      }
    } finally {
      for (const left of parts.slice(index)) discardPart(left);
    }
    if (this.#socket.buffered > SEND_AHEAD_BYTES) await this.#socket.drained();
  }

  /** Streams a literal's bytes; false (and the connection cut) if it ended short. */
  async #stream(part: StreamPart): Promise<boolean> {
    let sent = 0;
    try {
      for await (const chunk of part.stream) {
        if (this.#socket.ending) break;
        sent += (chunk as Buffer).length;
        await this.#socket.writeChunk(chunk as Buffer);
      }
    } finally {
      part.stream.destroy();
    }
    if (sent !== part.length && !this.#socket.ending) {
      // The literal's announced size cannot be taken back: the connection must end.
      this.#log.warn({ sent, expected: part.length }, 'message changed while being sent');
      this.#socket.destroy();
      return false;
    }
    return true;
  }

  /** A SASL response line; a refused one fails the command with BAD (RFC 3501 §6.2.2). */
  async #continuation(text: string): Promise<string> {
    this.#write(`+ ${text}\r\n`);
    const line = await this.#nextLine();
    if (typeof line === 'string' || line === undefined) return line ?? '*';
    throw new ArgumentError(line.error);
  }

  /**
   * The client's next line (SASL response, DONE), framed under the continuation budget: one
   * bounded line, no literals. undefined when the connection is gone.
   */
  async #nextLine(): Promise<string | { error: string } | undefined> {
    if (this.#socket.ending) return undefined;
    this.#awaitingLine = true;
    let event: Framed | undefined;
    try {
      event = this.#nextEvent();
      event ??= await new Promise<Framed | undefined>((resolve) => (this.#lineWaiter = resolve));
    } finally {
      this.#awaitingLine = false;
    }
    if (!event) return undefined;
    if (event.kind === 'command') return joinText(event.parts);
    if (event.kind === 'fatal') this.#closeForInput(event.text);
    return { error: event.text };
  }

  /** Changes pushed during IDLE; a HIGHESTMODSEQ notice goes untagged (no tagged reply yet). */
  async #idleFlush(): Promise<void> {
    const notice = await this.#flushChanges(true);
    if (notice !== undefined) this.#write(`* OK [HIGHESTMODSEQ ${notice}] Highest\r\n`);
  }

  /** RFC 2177: "+ idling", changes pushed as they happen, until DONE. */
  async #idle(tag: string): Promise<CommandResult> {
    this.#write('+ idling\r\n');
    let done = false;
    const waitLine = this.#nextLine().then((line) => {
      done = true;
      this.#idleWake?.();
      return line;
    });
    const keepAlive = setInterval(() => this.#write('* OK Still here\r\n'), IDLE_KEEPALIVE_MS);
    try {
      await this.#idleFlush();
      while (!done && !this.#socket.ending) {
        // Checked and armed in one synchronous step, so no notification can slip between.
        if (!(this.state.kind === 'selected' && this.state.view.changed)) {
          await new Promise<void>((resolve) => (this.#idleWake = resolve));
        }
        this.#idleWake = undefined;
        if (done || this.#socket.ending) break;
        await new Promise((r) => setTimeout(r, IDLE_NOTIFY_DELAY_MS)); // let a burst of changes settle
        await this.#idleFlush();
      }
    } finally {
      clearInterval(keepAlive);
      this.#idleWake = undefined;
    }
    const line = await waitLine;
    if (line === undefined) return bad('Connection closed');
    if (typeof line !== 'string') return bad(line.error);
    if (line.toUpperCase() !== 'DONE') return bad(`Expected DONE to end IDLE (${tag})`);
    return ok('Idle completed.');
  }

  async #startTls(): Promise<void> {
    this.#pendingTls = false;
    const upgrade = this.#options.upgradeToTls;
    if (!upgrade) return;
    // RFC 3501 §6.2.1 / CVE-2011-0411: nothing pipelined after STARTTLS may be executed.
    this.#reader.discard();
    if (await this.#socket.upgrade(upgrade)) {
      this.#secure = true;
      this.#armTimeout();
    } else {
      this.#log.info('STARTTLS handshake failed');
    }
  }

  /**
   * RFC 4978 §3: compression starts right after the tagged OK, in both directions; bytes the
   * client sent after its COMPRESS command are already compressed, so they are inflated too.
   */
  #startCompression(): void {
    this.#pendingCompression = false;
    this.#socket.compress(this.#reader.takeInput());
  }

  #end(graceMs = 5_000): void {
    this.#socket.end(graceMs);
  }
}

/** A continuation line's text (bounded by the continuation budget: one line, no literal). */
function joinText(parts: readonly CommandPart[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p.toString('latin1'))).join('');
}

/**
 * A command for the protocol log: at most MAX_LOGGED_COMMAND_CHARS, built without ever
 * turning a whole literal (or the whole command) into one string.
 */
function logPreview(parts: readonly CommandPart[]): string {
  let out = '';
  let total = 0;
  for (const part of parts) {
    total += part.length;
    const room = MAX_LOGGED_COMMAND_CHARS - out.length;
    if (room <= 0) continue;
    out += typeof part === 'string' ? part.slice(0, room) : part.toString('latin1', 0, room);
  }
  return total > out.length ? `${out}…[${total - out.length} more octets]` : out;
}
