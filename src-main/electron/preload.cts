/**
 * The preload: the only bridge between the window and the main process. It exposes
 * `window.mailport` — every ControlApi method (the list comes from the main process, which
 * reads it from the API definition), `onEvent` and `chooseFolder` — and nothing else: the page
 * never sees `ipcRenderer`. Sandboxed preloads cannot load other files, so this file stands
 * alone; the channel names match ipc-channels.ts (a test checks).
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';

type Ipc = Pick<IpcRenderer, 'sendSync' | 'invoke' | 'on' | 'removeListener'>;
type Reply =
  { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

const CHANNELS = {
  methods: 'mailport:methods',
  event: 'mailport:event',
  chooseFolder: 'mailport:choose-folder',
  callPrefix: 'mailport:call:',
} as const;

/** The object the page sees as `window.mailport`. */
function buildBridge(ipc: Ipc): Record<string, unknown> {
  const methods = ipc.sendSync(CHANNELS.methods) as unknown;
  if (!Array.isArray(methods)) throw new Error('Mailport: the method list is missing');
  const bridge: Record<string, unknown> = {};
  for (const method of methods) {
    if (typeof method !== 'string') continue;
    bridge[method] = async (args: unknown = {}) => {
      const reply = (await ipc.invoke(CHANNELS.callPrefix + method, args)) as Reply;
      // A plain object survives the context bridge with its fields; an Error would not.
      if (!reply.ok) throw { code: reply.error.code, message: reply.error.message };
      return reply.result;
    };
  }
  bridge.onEvent = (callback: (event: unknown) => void) => {
    const listener = (_e: IpcRendererEvent, event: unknown): void => callback(event);
    ipc.on(CHANNELS.event, listener);
    return () => {
      ipc.removeListener(CHANNELS.event, listener);
    };
  };
  bridge.chooseFolder = async () => (await ipc.invoke(CHANNELS.chooseFolder)) as string | null;
  return Object.freeze(bridge);
}

if (process.type === 'renderer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const electron = require('electron') as typeof import('electron');
  electron.contextBridge.exposeInMainWorld('mailport', buildBridge(electron.ipcRenderer));
}

export = { buildBridge, CHANNELS };
