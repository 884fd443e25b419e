/**
 * The Security screen: login policy, TLS minimum and bind address apply as soon as they are
 * chosen; connection limits and timeouts are a small form checked against the settings
 * schema's ranges before they are sent.
 */
import { Action } from './action.svelte.js';
import { errorsByKey } from '../lib/errors-by-key.js';
import type { SettingsState } from './settings.svelte.js';

export interface NumberSetting {
  readonly key: string;
  readonly label: string;
  readonly hint: string;
  readonly min: number;
  readonly max: number;
}

/** The ranges are those of src-main/core/config/schema.ts. */
export const LIMIT_SETTINGS: readonly NumberSetting[] = [
  {
    key: 'limits.maxConnections',
    label: 'Connections in all',
    hint: 'From every phone and computer together.',
    min: 1,
    max: 100_000,
  },
  {
    key: 'limits.maxConnectionsPerAddress',
    label: 'Connections from one address',
    hint: 'A phone opens a few at once; keep this above 10.',
    min: 1,
    max: 10_000,
  },
  {
    key: 'limits.maxConnectionsPerAccount',
    label: 'Connections per account',
    hint: 'Signed-in connections of one account.',
    min: 1,
    max: 10_000,
  },
  {
    key: 'limits.preauthTimeoutSeconds',
    label: 'Sign-in timeout (seconds)',
    hint: 'A connection that has not signed in is closed after this.',
    min: 5,
    max: 3600,
  },
  {
    key: 'limits.idleTimeoutSeconds',
    label: 'Idle timeout (seconds)',
    hint: 'At least 1800 (30 minutes), as IMAP requires for IDLE.',
    min: 1800,
    max: 86_400,
  },
];

export class SecurityForm {
  values = $state<Record<string, string>>({});
  serverErrors = $state<Record<string, string>>({});
  readonly limits = new Action();
  readonly policy = new Action();
  readonly tls = new Action();
  readonly bind = new Action();
  readonly #settings: SettingsState;

  readonly errors = $derived(
    Object.fromEntries(LIMIT_SETTINGS.map((s) => [s.key, checkNumber(s, this.values[s.key])])),
  );
  readonly valid = $derived(Object.values(this.errors).every((e) => e === null));

  constructor(settings: SettingsState) {
    this.#settings = settings;
    settings.onChangedElsewhere(() => {
      for (const action of [this.limits, this.policy, this.tls, this.bind]) action.clear();
    });
  }

  reset(): void {
    const current = this.#settings.current;
    if (!current) return;
    const values: Record<string, string> = {};
    for (const s of LIMIT_SETTINGS) values[s.key] = String(read(current, s.key));
    this.values = values;
    this.serverErrors = {};
  }

  async saveLimits(): Promise<void> {
    const current = this.#settings.current;
    if (!current) return;
    if (!this.valid)
      return this.limits.refuse('Some values need a change first: see the messages above.');
    const changes: Record<string, number> = {};
    for (const s of LIMIT_SETTINGS) {
      const value = Number(this.values[s.key]);
      if (value !== read(current, s.key)) changes[s.key] = value;
    }
    this.serverErrors = {};
    if (Object.keys(changes).length === 0)
      return this.limits.say('Nothing to save: these are the limits in use.');
    const ok = await this.limits.run(async () => {
      await this.#settings.update(changes);
      return true;
    }, 'Saved. New connections follow the new limits.');
    if (!ok && this.limits.error)
      this.serverErrors = errorsByKey(
        this.limits.error,
        LIMIT_SETTINGS.map((s) => s.key),
      );
  }

  async setLoginPolicy(value: 'secure' | 'plaintext'): Promise<void> {
    await this.policy.run(
      () => this.#settings.update({ 'security.loginPolicy': value }),
      value === 'secure' ? 'Passwords are now only accepted over TLS.' : null,
    );
  }

  async setTlsMinVersion(value: 'TLSv1.2' | 'TLSv1.3'): Promise<void> {
    await this.tls.run(() => this.#settings.update({ 'security.tlsMinVersion': value }));
  }

  async setBind(value: string): Promise<void> {
    await this.bind.run(() => this.#settings.update({ 'bind.address': value }));
  }
}

function read(settings: object, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], settings);
}

function checkNumber(setting: NumberSetting, text: string | undefined): string | null {
  const value = (text ?? '').trim();
  if (!/^\d+$/.test(value) || Number(value) < setting.min || Number(value) > setting.max)
    return `Enter a whole number from ${setting.min} to ${setting.max.toLocaleString('en')}.`;
  return null;
}
