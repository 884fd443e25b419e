/** The settings window: created once, hidden on close (Mailport keeps serving in the tray). */
import { BrowserWindow, type WebContents } from 'electron';
import { APP_ENTRY, createAppWindow, isAppUrl } from './security.js';

let window: BrowserWindow | undefined;
let quitting = false;

export function markQuitting(): void {
  quitting = true;
}

export function appWindow(): BrowserWindow | undefined {
  return window && !window.isDestroyed() ? window : undefined;
}

export function showWindow(preloadPath: string): BrowserWindow {
  const existing = appWindow();
  if (existing) {
    if (existing.isMinimized()) existing.restore();
    existing.show();
    existing.focus();
    return existing;
  }
  const created = createAppWindow(BrowserWindow, preloadPath);
  window = created;
  created.once('ready-to-show', () => created.show());
  created.on('close', (event) => {
    if (quitting) return;
    event.preventDefault(); // closing the window keeps Mailport serving in the tray
    created.hide();
  });
  void created.loadURL(APP_ENTRY);
  return created;
}

/**
 * Every web contents (the window and anything it might try to create) stays on the app's
 * origin: navigation elsewhere, new windows and <webview> are refused.
 */
export function harden(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
