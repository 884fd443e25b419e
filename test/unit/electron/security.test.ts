import { describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import {
  APP_ENTRY,
  CONTENT_SECURITY_POLICY,
  createAppWindow,
  isAppUrl,
} from '../../../src-main/electron/security.js';

class RecordingWindow {
  static last: BrowserWindowConstructorOptions | undefined;
  constructor(options: BrowserWindowConstructorOptions) {
    RecordingWindow.last = options;
  }
}

describe('the desktop window', () => {
  it('is isolated, sandboxed, without Node, and fits 800×600', () => {
    createAppWindow(RecordingWindow, '/app/preload.cjs');
    const options = RecordingWindow.last!;
    expect(options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
    expect(options.minWidth).toBeLessThanOrEqual(800);
    expect(options.minHeight).toBeLessThanOrEqual(600);
  });

  it('has a Content-Security-Policy with no inline script, eval or remote origin', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    for (const values of directives.values()) {
      expect(values).not.toContain("'unsafe-eval'");
      expect(values.some((v) => /^(https?:|\*|ws)/.test(v))).toBe(false);
    }
  });

  it('treats only the app origin as the app', () => {
    expect(isAppUrl(APP_ENTRY)).toBe(true);
    expect(isAppUrl('mailport://app/settings')).toBe(true);
    for (const url of [
      'https://app/',
      'mailport://evil/',
      'file:///etc/passwd',
      'http://127.0.0.1:7780/',
      'mailport://app.evil.com/',
      'not a url',
    ])
      expect(isAppUrl(url), url).toBe(false);
  });
});
