/**
 * What every IMAP command module exports, and what it may use. Handlers never see bytes or
 * sockets: they get parsed tokens and answer through `ImapContext`.
 */
import type { LoginClient } from '../auth/login-result.js';
import type { Token } from './parser.js';
import type { CommandResult, OutputPart } from './response.js';
import type { ImapServices } from './services.js';
import type { ImapState, ImapStateKind } from './state.js';
import type { MailboxView } from './mailbox-view.js';

export interface ImapContext {
  readonly services: ImapServices;
  readonly tag: string;
  readonly secure: boolean;
  readonly remoteAddress: string;
  readonly client: LoginClient;
  state: ImapState;
  /** Extensions turned on with ENABLE (RFC 5161). */
  readonly enabled: Set<string>;
  /** `* <text>` */
  untagged(text: string): void;
  /** Raw output pieces in order, streams included, with backpressure. */
  send(parts: readonly OutputPart[]): Promise<void>;
  /** Sends `+ <text>` and resolves with the client's next line (AUTHENTICATE). */
  continuation(text: string): Promise<string>;
  /** The capabilities for the current state and connection. */
  capabilities(): string[];
  /** True once COMPRESS=DEFLATE is on (RFC 4978). */
  readonly compressed: boolean;
  /** Turns COMPRESS=DEFLATE on after the tagged OK; undefined when the setting is off. */
  readonly startCompression: (() => void) | undefined;
  /** Upgrades to TLS after the tagged OK is written; undefined when unavailable. */
  readonly startTls: (() => void) | undefined;
  /** Waits in IDLE until DONE, sending changes as they happen (RFC 2177). */
  idle(): Promise<CommandResult>;
  /** Opens a mailbox view that reports changes to this session. */
  openView(name: string, readOnly: boolean): Promise<MailboxView>;
  /** Ends the connection after the tagged response. */
  logout(): void;
}

export interface ImapCommand {
  /** `FETCH`, `UID FETCH`… */
  readonly name: string;
  readonly states: readonly ImapStateKind[];
  /**
   * RFC 3501 §7.4.1: EXPUNGE responses must not be sent while responding to FETCH, STORE or
   * SEARCH (the UID forms allow them). Defaults to true.
   */
  readonly allowsExpunge?: boolean;
  handle(ctx: ImapContext, args: readonly Token[]): Promise<CommandResult> | CommandResult;
}

export function selectedView(ctx: ImapContext): MailboxView {
  if (ctx.state.kind !== 'selected') throw new Error('command dispatched outside SELECTED');
  return ctx.state.view;
}
