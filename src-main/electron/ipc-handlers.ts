/**
 * The ControlApi over Electron IPC, generated from `CONTROL_METHODS`: one handler per method,
 * none written by hand. Each handler first checks that the call comes from the app's own
 * top-level page, then validates the argument with the method's schema, then calls the API.
 * Failures come back as `{ ok: false, error: { code, message } }`, as over HTTP.
 */
import {
  CONTROL_METHODS,
  ControlError,
  type ControlApi,
  type ControlMethod,
} from '../core/control/api.js';
import { callChannel, type IpcReply } from './ipc-channels.js';
import { isAppUrl } from './security.js';

/** The part of Electron's IpcMainInvokeEvent the handlers look at. */
export interface IpcCaller {
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export type IpcHandler = (event: IpcCaller, args: unknown) => Promise<IpcReply>;

export function controlMethods(): ControlMethod[] {
  return Object.keys(CONTROL_METHODS) as ControlMethod[];
}

/** Only the app's own page, in the window's main frame, may call. */
export function isTrustedCaller(event: IpcCaller): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

export function createIpcHandlers(
  api: ControlApi,
  onUnexpected: (method: string, err: unknown) => void = () => undefined,
): Map<string, IpcHandler> {
  const handlers = new Map<string, IpcHandler>();
  for (const method of controlMethods()) {
    handlers.set(callChannel(method), async (event, args) => {
      if (!isTrustedCaller(event))
        return failure('FORBIDDEN', 'Only the Mailport window may use this.');
      const parsed = CONTROL_METHODS[method].safeParse(args ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || 'arguments';
        return failure('INVALID', `${field}: ${issue?.message ?? 'invalid'}`);
      }
      try {
        const call = api[method] as (a: unknown) => Promise<unknown>;
        return { ok: true, result: await call(parsed.data) };
      } catch (err) {
        if (err instanceof ControlError) return failure(err.code, err.message);
        onUnexpected(method, err);
        return failure('INTERNAL', 'Something went wrong inside Mailport: see the log.');
      }
    });
  }
  return handlers;
}

function failure(code: string, message: string): IpcReply {
  return { ok: false, error: { code, message } };
}
