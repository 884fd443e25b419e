/**
 * The one module that talks to Mailport. In the desktop window the preload has put a frozen
 * `window.mailport` in place and it is used as it is; in a browser (against `mailport serve`)
 * the same interface is built over the admin HTTP server: `POST /api/<method>` with the
 * cookie that the `/login?token=` link set, and events from `GET /api/events`.
 */
import type { ControlApi, MailportBridge, TimedEvent } from './bridge-contract.js';
import type { ControlMethod } from '../../src-main/core/control/api.js';

export type { MailportBridge, TimedEvent } from './bridge-contract.js';

declare global {
  interface Window {
    mailport?: MailportBridge;
  }
}

/** A failed call, in plain words, with a code the window can act on. */
export class BridgeError extends Error {
  override name = 'BridgeError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Every ControlApi method: the HTTP bridge is built from this list, nothing per method. A
 * Record over `ControlMethod` so the compiler refuses a list that misses or invents one.
 */
const METHOD_SET: Readonly<Record<ControlMethod, true>> = {
  getStatus: true,
  getSettings: true,
  updateSettings: true,
  listAccounts: true,
  addAccount: true,
  removeAccount: true,
  resetPassword: true,
  getCertificate: true,
  renewCertificate: true,
  importCertificate: true,
  listMailboxes: true,
  getLogs: true,
  installTrust: true,
  uninstallTrust: true,
  startPhoneSetup: true,
  stopPhoneSetup: true,
  getPhoneSetup: true,
  getRelay: true,
  setRelay: true,
  removeRelay: true,
  addSender: true,
  removeSender: true,
};
const METHODS = Object.keys(METHOD_SET) as ControlMethod[];

export function connectBridge(): MailportBridge {
  return window.mailport ?? httpBridge();
}

function httpBridge(): MailportBridge {
  const api = Object.fromEntries(
    METHODS.map((method) => [method, (args: unknown) => post(method, args ?? {})]),
  ) as unknown as ControlApi;
  return Object.freeze({ ...api, onEvent: subscribe });
}

async function post(method: string, args: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
      credentials: 'same-origin',
    });
  } catch {
    throw new BridgeError(
      'OFFLINE',
      'Mailport is not answering. Is `mailport serve` still running? Start it again and reload this page.',
    );
  }
  const body = (await res.json().catch(() => null)) as {
    error?: { code?: string; message?: string };
  } | null;
  if (res.ok) return body;
  if (res.status === 401)
    throw new BridgeError(
      'UNAUTHORIZED',
      'This browser is not signed in. Open the link that `mailport admin-url` prints.',
    );
  throw new BridgeError(
    body?.error?.code ?? 'INTERNAL',
    body?.error?.message ?? `Mailport answered with an error (HTTP ${res.status}).`,
  );
}

/** Events over Server-Sent Events; the browser reconnects by itself after a drop. */
function subscribe(
  listener: (event: TimedEvent) => void,
  onConnection?: (connected: boolean) => void,
): () => void {
  const source = new EventSource('api/events');
  const types: TimedEvent['type'][] = [
    'listener',
    'connection-opened',
    'connection-closed',
    'login',
    'progress',
    'new-mail',
    'settings-changed',
    'queue-changed',
  ];
  const onMessage = (message: MessageEvent<string>): void => {
    try {
      listener(JSON.parse(message.data) as TimedEvent);
    } catch {
      // A line that is not JSON is not an event: ignore it.
    }
  };
  for (const type of types) source.addEventListener(type, onMessage);
  source.onopen = () => onConnection?.(true);
  source.onerror = () => onConnection?.(false);
  return () => source.close();
}
