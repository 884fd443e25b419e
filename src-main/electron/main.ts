/**
 * The desktop app's main process: thin glue over the same core `mailport serve` runs. It
 * keeps one instance, serves the built renderer on the app's own scheme, exposes the
 * ControlApi over IPC, keeps serving in the tray when the window closes, and stops the
 * listeners cleanly on quit. Settings, accounts and certificates live in the data dir the
 * headless CLI uses, so both modes share them.
 */
import { app, clipboard, dialog, ipcMain, Notification, protocol, session } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../core/config/paths.js';
import { KnownDevices } from '../core/known-devices.js';
import { openMailport, type Mailport } from '../core/runtime.js';
import { appWindow, harden, markQuitting, showWindow } from './app-window.js';
import { HIDDEN_FLAG, isLinuxAutostartOn, launchCommand, setLinuxAutostart } from './autostart.js';
import { IPC_CHOOSE_FOLDER, IPC_EVENT, IPC_METHODS } from './ipc-channels.js';
import { controlMethods, createIpcHandlers, isTrustedCaller } from './ipc-handlers.js';
import { keychainVault } from './key-vault.js';
import { desktopSecrets } from './safe-storage-secrets.js';
import { noticeFor } from './notifications.js';
import { rendererResponse } from './renderer-files.js';
import { APP_SCHEME } from './security.js';
import { AppTray } from './tray.js';

const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, 'preload.cjs');
const rendererDir = join(here, '..', '..', 'renderer');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
const dataDir = defaultDataDir();
app.setPath('userData', dataDir);

if (!app.requestSingleInstanceLock()) {
  app.quit(); // the running instance shows its window (second-instance below)
} else {
  app.on('second-instance', () => showWindow(preloadPath));
  app.on('web-contents-created', (_event, contents) => harden(contents));
  app.on('window-all-closed', () => undefined); // keep serving in the tray
  void app.whenReady().then(start, fail);
}

async function start(): Promise<void> {
  protocol.handle(APP_SCHEME, (request) => rendererResponse(rendererDir, request));
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) =>
    grant(false),
  );
  const vault = keychainVault();
  const mailport = await openMailport(dataDir, {
    ...(vault && { keyVault: vault }),
    secrets: desktopSecrets(dataDir),
  });
  registerIpc(mailport);
  let startAtLogin = await readStartAtLogin();
  const tray = new AppTray(
    mailport.service,
    join(app.getAppPath(), 'assets'),
    {
      open: () => showWindow(preloadPath),
      setServing: (on) => void mailport.service.setServing(on).then(() => tray.update()),
      setStartAtLogin: (on) =>
        void writeStartAtLogin(on).then(() => {
          startAtLogin = on;
          tray.update();
        }),
      quit: () => app.quit(),
    },
    () => startAtLogin,
  );
  await forwardEvents(mailport, () => tray.update());
  await mailport.service.start();
  tray.update();
  if (!process.argv.includes(HIDDEN_FLAG)) showWindow(preloadPath);
  if (mailport.firstRun) await showFirstRun(mailport);
  app.on('before-quit', (event) => {
    markQuitting();
    if (stopped) return;
    event.preventDefault();
    void stopCleanly(mailport, tray);
  });
}

let stopped = false;

/** Listeners stop and sessions are told goodbye before the process ends. */
async function stopCleanly(mailport: Mailport, tray: AppTray): Promise<void> {
  await mailport.service.stop().catch(() => undefined);
  mailport.logger.flush();
  tray.destroy();
  stopped = true;
  app.quit();
}

function registerIpc(mailport: Mailport): void {
  const handlers = createIpcHandlers(mailport.api, (method, err) =>
    mailport.logger.error({ err, method }, 'control call failed'),
  );
  for (const [channel, handler] of handlers) ipcMain.handle(channel, handler);
  ipcMain.on(IPC_METHODS, (event) => {
    event.returnValue = isTrustedCaller(event) ? controlMethods() : [];
  });
  ipcMain.handle(IPC_CHOOSE_FOLDER, async (event) => {
    const window = appWindow();
    if (!isTrustedCaller(event) || !window) return null;
    const chosen = await dialog.showOpenDialog(window, {
      title: 'Choose the Maildir folder',
      properties: ['openDirectory', 'createDirectory'],
    });
    return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
  });
}

/** Service events go to the window, to the tray, and (some) to desktop notifications. */
async function forwardEvents(mailport: Mailport, onChange: () => void): Promise<void> {
  const devices = await KnownDevices.open(join(dataDir, 'devices.json'));
  mailport.service.events.subscribe((event) => {
    appWindow()?.webContents.send(IPC_EVENT, event);
    if (event.type === 'listener') onChange();
    const notice = noticeFor(event, devices);
    if (notice && Notification.isSupported()) new Notification(notice).show();
  });
}

async function showFirstRun(mailport: Mailport): Promise<void> {
  const created = mailport.firstRun;
  if (!created) return;
  const { response } = await dialog.showMessageBox({
    type: 'info',
    title: 'Mailport is ready',
    message: `Your account "${created.account}" serves ${created.maildir}.`,
    detail: `Its password is shown only now:\n\n${created.password}\n\nUse it in your phone's mail app. You can reset it in Accounts.`,
    buttons: ['Copy password', 'Done'],
    defaultId: 0,
  });
  if (response === 0) clipboard.writeText(created.password);
}

async function readStartAtLogin(): Promise<boolean> {
  if (process.platform === 'linux') return isLinuxAutostartOn();
  return app.getLoginItemSettings().openAtLogin;
}

async function writeStartAtLogin(on: boolean): Promise<void> {
  if (process.platform === 'linux') {
    await setLinuxAutostart(on, launchCommand(process.execPath));
    return;
  }
  app.setLoginItemSettings({ openAtLogin: on, args: [HIDDEN_FLAG] });
}

function fail(err: unknown): void {
  dialog.showErrorBox('Mailport could not start', (err as Error)?.message ?? String(err));
  app.exit(1);
}
