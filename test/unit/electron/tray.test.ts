import { describe, expect, it, vi } from 'vitest';
import { trayIconName, trayMenu, trayStatus } from '../../../src-main/electron/tray-model.js';
import type { ListenerState } from '../../../src-main/core/net/listener.js';

const listening: ListenerState = { status: 'listening', address: '::', port: 993 };
const stopped: ListenerState = { status: 'stopped' };
const failed: ListenerState = {
  status: 'failed',
  error: 'Port 993 is in use.',
  remedy: 'Pick another.',
};

describe('the tray', () => {
  it('shows failed when any listener failed, running when one listens, else stopped', () => {
    expect(
      trayStatus({ imaps: listening, imap: listening, pop3s: stopped, pop3: stopped }, true),
    ).toBe('running');
    expect(
      trayStatus({ imaps: failed, imap: listening, pop3s: stopped, pop3: stopped }, true),
    ).toBe('failed');
    expect(trayStatus({ imaps: stopped, imap: stopped, pop3s: stopped, pop3: stopped }, true)).toBe(
      'stopped',
    );
    expect(
      trayStatus({ imaps: listening, imap: listening, pop3s: listening, pop3: listening }, false),
    ).toBe('stopped');
  });

  it('names an icon that exists for every status and menu theme', async () => {
    const { existsSync } = await import('node:fs');
    for (const status of ['running', 'failed', 'stopped'] as const)
      for (const dark of [false, true])
        expect(existsSync(`assets/tray/${trayIconName(status, dark)}`)).toBe(true);
  });

  it('offers open, stop or start serving, start at login and quit, each doing what it says', () => {
    const actions = { open: vi.fn(), setServing: vi.fn(), setStartAtLogin: vi.fn(), quit: vi.fn() };
    const serving = trayMenu('running', true, false, actions);
    const byLabel = (items: typeof serving, label: string) => items.find((i) => i.label === label)!;
    byLabel(serving, 'Stop serving').click!();
    expect(actions.setServing).toHaveBeenCalledWith(false);
    byLabel(serving, 'Start at login').click!();
    expect(actions.setStartAtLogin).toHaveBeenCalledWith(true);
    byLabel(serving, 'Open Mailport').click!();
    byLabel(serving, 'Quit Mailport').click!();
    expect(actions.open).toHaveBeenCalledOnce();
    expect(actions.quit).toHaveBeenCalledOnce();
    const idle = trayMenu('stopped', false, true, actions);
    byLabel(idle, 'Start serving').click!();
    expect(actions.setServing).toHaveBeenLastCalledWith(true);
    expect(byLabel(idle, 'Start at login').checked).toBe(true);
  });
});
