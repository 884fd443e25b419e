/**
 * The desktop window's security settings in one place (Electron's security checklist):
 * isolated, sandboxed, no Node in the page, the app's own origin only, a strict
 * Content-Security-Policy, and nothing opened or navigated to from the page.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** The renderer is served from this privileged custom scheme, never from http or file URLs. */
export const APP_SCHEME = 'mailport';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * The same policy the admin server sends with the renderer: everything from the app's own
 * origin, no inline script or style, no eval, nothing remote; data: images for the QR code.
 */
export { CONTENT_SECURITY_POLICY } from '../core/control/http-server.js';

export const WINDOW_SIZE = { width: 1040, height: 720, minWidth: 800, minHeight: 600 } as const;

/**
 * Creates the window with the options written out in the call itself, so static checkers
 * (electronegativity) see them; `BrowserWindow` is passed in so tests can record the options.
 */
export function createAppWindow<W>(
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W,
  preloadPath: string,
): W {
  return new BrowserWindow({
    ...WINDOW_SIZE,
    title: 'Mailport',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

/** True for a URL of the app itself: the only thing the window may show or call IPC from. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'app';
  } catch {
    return false;
  }
}
