/**
 * What the tray shows: one status for the whole app, its icon, and the menu. Pure, so the
 * rules are tested under Node; tray.ts only hands the result to Electron.
 */
import { LISTENER_NAMES, type ListenerName } from '../core/config/schema.js';
import type { ListenerState } from '../core/net/listener.js';

export type TrayStatus = 'running' | 'failed' | 'stopped';

/** Failed if any enabled listener failed; running if one listens; otherwise stopped. */
export function trayStatus(
  states: Readonly<Partial<Record<ListenerName, ListenerState>>>,
  serving: boolean,
): TrayStatus {
  if (!serving) return 'stopped';
  const all = LISTENER_NAMES.flatMap((name) => states[name] ?? []);
  if (all.some((s) => s.status === 'failed')) return 'failed';
  return all.some((s) => s.status === 'listening') ? 'running' : 'stopped';
}

export const TRAY_TOOLTIP: Readonly<Record<TrayStatus, string>> = {
  running: 'Mailport is serving your mail',
  failed: 'Mailport: a service could not start — open Mailport to fix it',
  stopped: 'Mailport is not serving',
};

/** assets/tray/<status>-<menu theme>.png; dark menus get the light-coloured icon. */
export function trayIconName(status: TrayStatus, darkMenu: boolean): string {
  return `tray-${status}-${darkMenu ? 'dark' : 'light'}.png`;
}

export interface TrayActions {
  open(): void;
  setServing(on: boolean): void;
  setStartAtLogin(on: boolean): void;
  quit(): void;
}

/** The menu as Electron's MenuItemConstructorOptions (kept structural to stay pure). */
export interface TrayMenuItem {
  readonly label?: string;
  readonly type?: 'normal' | 'separator' | 'checkbox';
  readonly enabled?: boolean;
  readonly checked?: boolean;
  readonly click?: () => void;
}

export function trayMenu(
  status: TrayStatus,
  serving: boolean,
  startAtLogin: boolean,
  actions: TrayActions,
): TrayMenuItem[] {
  return [
    { label: TRAY_TOOLTIP[status], enabled: false },
    { type: 'separator' },
    { label: 'Open Mailport', click: () => actions.open() },
    serving
      ? { label: 'Stop serving', click: () => actions.setServing(false) }
      : { label: 'Start serving', click: () => actions.setServing(true) },
    { type: 'separator' },
    {
      label: 'Start at login',
      type: 'checkbox',
      checked: startAtLogin,
      click: () => actions.setStartAtLogin(!startAtLogin),
    },
    { type: 'separator' },
    { label: 'Quit Mailport', click: () => actions.quit() },
  ];
}
