/**
 * The IPC bridge, generated from the ControlApi definition, against a real MailportService:
 * the preload's `window.mailport` (built from the compiled preload.cjs) is wired to the main
 * process's handlers through an in-memory stand-in for Electron's ipcMain/ipcRenderer pair.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { CONTROL_METHODS, type ControlMethod } from '../../../src-main/core/control/api.js';
import { createControlApi } from '../../../src-main/core/control/control-api.js';
import {
  IPC_CALL_PREFIX,
  IPC_CHOOSE_FOLDER,
  IPC_EVENT,
  IPC_METHODS,
} from '../../../src-main/electron/ipc-channels.js';
import {
  controlMethods,
  createIpcHandlers,
  type IpcCaller,
  type IpcHandler,
} from '../../../src-main/electron/ipc-handlers.js';
import { APP_ENTRY } from '../../../src-main/electron/security.js';
import { startService, type TestService } from '../../helpers/service.js';

const require = createRequire(import.meta.url);
type Call = (args?: unknown) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const preload = require('../../../dist/main/electron/preload.cjs') as {
  buildBridge(ipc: unknown): Record<ControlMethod | 'onEvent' | 'chooseFolder', Call>;
  CHANNELS: Record<string, string>;
};

let t: TestService;
let handlers: Map<string, IpcHandler>;
const app: IpcCaller = { senderFrame: { url: APP_ENTRY, parent: null } };

/** ipcRenderer as the preload sees it, calling the handlers as `caller`. */
function fakeRenderer(caller: IpcCaller) {
  return {
    sendSync: (channel: string) => (channel === IPC_METHODS ? controlMethods() : undefined),
    invoke: async (channel: string, args: unknown) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return handler(caller, args);
    },
    on: () => undefined,
    removeListener: () => undefined,
  };
}

beforeAll(async () => {
  t = await startService();
  handlers = createIpcHandlers(createControlApi(t.service));
});
afterAll(() => t?.stop());

describe('the ControlApi over IPC', () => {
  it('has one channel per method, matching the preload', () => {
    expect([...handlers.keys()].sort()).toEqual(
      Object.keys(CONTROL_METHODS)
        .map((m) => IPC_CALL_PREFIX + m)
        .sort(),
    );
    expect(preload.CHANNELS).toEqual({
      methods: IPC_METHODS,
      event: IPC_EVENT,
      chooseFolder: IPC_CHOOSE_FOLDER,
      callPrefix: IPC_CALL_PREFIX,
    });
  });

  it('reaches every method from window.mailport and validates its arguments', async () => {
    const bridge = preload.buildBridge(fakeRenderer(app));
    for (const method of Object.keys(CONTROL_METHODS) as ControlMethod[]) {
      expect(typeof bridge[method], method).toBe('function');
      await expect(bridge[method]({ notAnArgument: 1 }), method).rejects.toMatchObject({
        code: 'INVALID',
      });
    }
    expect(Object.keys(bridge).sort()).toEqual(
      [...Object.keys(CONTROL_METHODS), 'onEvent', 'chooseFolder'].sort(),
    );
  });

  it('answers real calls from the core', async () => {
    const bridge = preload.buildBridge(fakeRenderer(app));
    const status = await bridge.getStatus();
    expect(status.listeners.find((l: { name: string }) => l.name === 'imaps')).toMatchObject({
      state: { status: 'listening', port: t.ports.imaps },
    });
    expect(await bridge.listAccounts()).toEqual([
      { name: t.user, maildir: t.maildir, senders: [] },
    ]);
    const added = await bridge.addAccount({ name: 'phone2' });
    expect(added.password.length).toBeGreaterThanOrEqual(12);
    await expect(bridge.addAccount({ name: 'phone2' })).rejects.toMatchObject({ code: 'EXISTS' });
    await expect(
      bridge.updateSettings({ changes: { 'listeners.imap.port': 0 } }),
    ).rejects.toMatchObject({
      code: 'INVALID',
    });
  });

  it('refuses calls from other pages, subframes and destroyed frames', async () => {
    const callers: IpcCaller[] = [
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      { senderFrame: { url: 'file:///tmp/page.html', parent: null } },
      { senderFrame: { url: APP_ENTRY, parent: {} } },
      { senderFrame: null },
    ];
    for (const caller of callers) {
      const reply = await handlers.get(IPC_CALL_PREFIX + 'listAccounts')!(caller, {});
      expect(reply).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: 'Only the Mailport window may use this.' },
      });
    }
    const bridge = preload.buildBridge(fakeRenderer(callers[0]!));
    await expect(bridge.removeAccount({ name: t.user })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(t.service.accounts.find(t.user)).toBeDefined();
  });
});
