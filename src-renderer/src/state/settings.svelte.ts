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

  async load(): Promise<void> {
    this.current = await this.#bridge.getSettings({});
  }

  /** Applies `changes` at once (no restart); throws the API's error in plain words. */
  async update(changes: SettingChanges): Promise<void> {
    const result = await this.#bridge.updateSettings({ changes });
    this.current = result.settings;
    this.#status.set(result.status);
  }
}
