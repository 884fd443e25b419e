/**
 * What the settings window needs from its host: the ControlApi, a stream of service events, and
 * (in the desktop window only) a native folder chooser. The Electron preload exposes an object
 * of this shape as `window.mailport`; in a browser, `bridge.ts` builds one over HTTP. Types
 * only, and no DOM, so the preload can import it.
 */
import type { ControlApi } from '../../src-main/core/control/api.js';
import type { ServiceEvent } from '../../src-main/core/events.js';

export type { ControlApi };
export type TimedEvent = ServiceEvent & { readonly at: string };

export interface MailportBridge extends ControlApi {
  /**
   * Calls `listener` with every service event from now on; returns the unsubscribe function.
   * `onConnection` (optional) is told when the event stream drops and comes back, so the window
   * can refresh what it may have missed.
   */
  onEvent(
    listener: (event: TimedEvent) => void,
    onConnection?: (connected: boolean) => void,
  ): () => void;
  /** Desktop only: the system's folder chooser; null when the user cancels. */
  chooseFolder?(): Promise<string | null>;
}

/**
 * How a bridge method fails: it rejects with an object (an Error, or a plain object, which is
 * what survives Electron's context bridge) whose message is in plain words, with the
 * ControlApi's error code (`INVALID`, `NOT_FOUND`, `EXISTS`, `CONFLICT`, `INTERNAL`) or one of
 * the transport's own (`UNAUTHORIZED`, `OFFLINE`).
 */
export interface BridgeFailure {
  readonly code: string;
  readonly message: string;
}
