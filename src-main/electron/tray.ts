/** The tray icon and menu, rebuilt whenever a listener changes state. */
import { Menu, nativeImage, nativeTheme, Tray } from 'electron';
import { join } from 'node:path';
import type { MailportService } from '../core/service.js';
import {
  TRAY_TOOLTIP,
  trayIconName,
  trayMenu,
  trayStatus,
  type TrayActions,
} from './tray-model.js';

export class AppTray {
  readonly #tray: Tray;
  readonly #service: MailportService;
  readonly #assets: string;
  readonly #actions: TrayActions;
  readonly #startAtLogin: () => boolean;

  constructor(
    service: MailportService,
    assets: string,
    actions: TrayActions,
    startAtLogin: () => boolean,
  ) {
    this.#service = service;
    this.#assets = assets;
    this.#actions = actions;
    this.#startAtLogin = startAtLogin;
    this.#tray = new Tray(this.#icon('stopped'));
    this.#tray.on('click', () => actions.open());
    nativeTheme.on('updated', () => this.update());
    this.update();
  }

  update(): void {
    const serving = this.#service.serving;
    const status = trayStatus(this.#service.listenerStates(), serving);
    this.#tray.setImage(this.#icon(status));
    this.#tray.setToolTip(TRAY_TOOLTIP[status]);
    const items = trayMenu(status, serving, this.#startAtLogin(), this.#actions);
    this.#tray.setContextMenu(Menu.buildFromTemplate(items.map((item) => ({ ...item }))));
  }

  destroy(): void {
    this.#tray.destroy();
  }

  #icon(status: Parameters<typeof trayIconName>[0]) {
    const dark = nativeTheme.shouldUseDarkColors;
    return nativeImage.createFromPath(join(this.#assets, 'tray', trayIconName(status, dark)));
  }
}
