/** The IPC channel names shared by the main process and the preload (which inlines them). */
export const IPC_METHODS = 'mailport:methods';
export const IPC_EVENT = 'mailport:event';
export const IPC_CHOOSE_FOLDER = 'mailport:choose-folder';
export const IPC_CALL_PREFIX = 'mailport:call:';

export function callChannel(method: string): string {
  return `${IPC_CALL_PREFIX}${method}`;
}

/** What crosses IPC for a call: Error objects lose their fields there, so failures are data. */
export type IpcReply<T = unknown> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };
