/** The current settings, and the one way to change them (dotted keys, applied live). */
import type { ControlResults } from '../../../src-main/core/control/api.js';
import type { MailportBridge } from '../bridge.js';
import type { StatusState } from './status.svelte.js';

export type CurrentSettings = ControlResults['getSettings'];
export type SettingChanges = Record<string, string | number | boolean>;

export class SettingsState {
  current = $state<CurrentSettings | null>(null);
  readonly #bridge: MailportBridge;
  readonly #status: StatusState;

  constructor(bridge: MailportBridge, status: StatusState) {
    this.#bridge = bridge;
    this.#status = status;
  }

  readonly #onChangedElsewhere: (() => void)[] = [];

  /**
   * Loads the settings in use. When they differ from what this window last had, someone else
   * changed them (the CLI, another window): `onChangedElsewhere` callbacks drop messages such
   * as "Applied." that now describe settings no longer in use.
   */
  async load(): Promise<void> {
    const loaded = await this.#bridge.getSettings({});
    const before = this.current;
    this.current = loaded;
    if (before && JSON.stringify(before) !== JSON.stringify(loaded))
      for (const callback of this.#onChangedElsewhere) callback();
  }

  onChangedElsewhere(callback: () => void): void {
    this.#onChangedElsewhere.push(callback);
  }

  /** Applies `changes` at once (no restart); throws the API's error in plain words. */
  async update(changes: SettingChanges): Promise<void> {
    const result = await this.#bridge.updateSettings({ changes });
    this.current = result.settings;
    this.#status.set(result.status);
  }
}
