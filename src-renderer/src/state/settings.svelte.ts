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

/**
 * Splits an error message from updateSettings into the part for each setting key it names
 * (`limits.maxConnections: …`) or listener (`imap: Another program…`); the rest is general.
 */
export function errorsByKey(message: string, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const sorted = [...keys].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?:^|\\s|\\n)(${sorted.map(escape).join('|')}): `, 'g');
  const hits = [...message.matchAll(pattern)];
  hits.forEach((hit, i) => {
    const start = (hit.index ?? 0) + hit[0].length;
    const end = hits[i + 1]?.index ?? message.length;
    const key = hit[1]!;
    out[key] = message.slice(start, end).trim();
  });
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
