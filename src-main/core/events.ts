/**
 * What MailportService tells the window, the CLI and the admin server about as it happens.
 * One typed union; the transports (SSE, Electron IPC) send it as it is.
 */
import { EventEmitter } from 'node:events';
import type { ListenerName } from './config/schema.js';
import type { ListenerState } from './net/listener.js';

export type ServiceEvent =
  | { readonly type: 'listener'; readonly listener: ListenerName; readonly state: ListenerState }
  | {
      readonly type: 'connection-opened';
      readonly id: number;
      readonly listener: ListenerName;
      readonly remoteAddress: string;
    }
  | { readonly type: 'connection-closed'; readonly id: number }
  | {
      readonly type: 'login';
      readonly ok: boolean;
      readonly account: string;
      readonly remoteAddress: string;
    }
  | {
      readonly type: 'progress';
      readonly task: string;
      readonly step: string;
      readonly done?: number;
      readonly total?: number;
    }
  | {
      readonly type: 'new-mail';
      readonly account: string;
      readonly mailbox: string;
      readonly messages: number;
    }
  | { readonly type: 'settings-changed' }
  /** A message was queued for the relay, or an attempt to relay one ended (getStatus().queue). */
  | { readonly type: 'queue-changed' };

export class ServiceEvents {
  readonly #emitter = new EventEmitter();

  emit(event: ServiceEvent): void {
    this.#emitter.emit('event', { ...event, at: new Date().toISOString() });
  }

  /** Calls `listener` for every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: ServiceEvent & { at: string }) => void): () => void {
    this.#emitter.on('event', listener);
    return () => this.#emitter.off('event', listener);
  }
}
