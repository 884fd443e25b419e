/**
 * The Protocols and ports form: each listener's switch and port as the user types them,
 * checked as they type (a whole number 1–65535, no port used twice, ports below 1024 flagged),
 * and applied live with the keys `listeners.<name>.enabled` / `.port`.
 */
import type { ListenerName } from '../../../src-main/core/config/schema.js';
import { Action } from './action.svelte.js';
import { errorsByKey, type SettingChanges, type SettingsState } from './settings.svelte.js';

export const LISTENERS: readonly ListenerName[] = ['imaps', 'imap', 'pop3s', 'pop3'];
/** DESIGN.md's standard ports (Exchange 2007's defaults). */
export const STANDARD_PORTS: Readonly<Record<ListenerName, number>> = {
  imaps: 993,
  imap: 143,
  pop3s: 995,
  pop3: 110,
};

interface Field {
  enabled: boolean;
  port: string;
}

export interface FieldCheck {
  /** Blocks applying. */
  readonly error: string | null;
  /** Worth knowing, does not block. */
  readonly warning: string | null;
}

export class ProtocolsForm {
  fields = $state<Record<ListenerName, Field>>(blank());
  /** Errors the server gave for one listener (a port in use, say). */
  serverErrors = $state<Partial<Record<ListenerName, string>>>({});
  readonly apply = new Action();
  readonly #settings: SettingsState;

  readonly checks = $derived(checkAll(this.fields, this.#adminPort()));
  readonly valid = $derived(LISTENERS.every((n) => !this.checks[n].error));
  readonly changes = $derived(this.#changes());

  constructor(settings: SettingsState) {
    this.#settings = settings;
  }

  #adminPort(): number | undefined {
    return this.#settings.current?.admin.port;
  }

  /** Puts the saved settings into the form (keeping the last result's message). */
  reset(): void {
    const current = this.#settings.current;
    if (!current) return;
    for (const name of LISTENERS) {
      this.fields[name] = {
        enabled: current.listeners[name].enabled,
        port: String(current.listeners[name].port),
      };
    }
    this.serverErrors = {};
  }

  /** "Undo changes": the saved settings, and no message from before. */
  undo(): void {
    this.reset();
    this.apply.clear();
  }

  restoreStandardPorts(): void {
    for (const name of LISTENERS) this.fields[name].port = String(STANDARD_PORTS[name]);
  }

  async submit(): Promise<void> {
    if (!this.valid)
      return this.apply.refuse('Some ports need a change first: see the messages above.');
    if (Object.keys(this.changes).length === 0)
      return this.apply.say('Nothing to apply: these are the settings in use.');
    this.serverErrors = {};
    const ok = await this.apply.run(async () => {
      await this.#settings.update(this.changes);
      return true;
    }, 'Applied. Phones connect to the new ports from now on.');
    if (ok) this.reset();
    else if (this.apply.error) this.serverErrors = errorsByKey(this.apply.error, LISTENERS);
  }

  #changes(): SettingChanges {
    const current = this.#settings.current;
    const out: SettingChanges = {};
    if (!current) return out;
    for (const name of LISTENERS) {
      const field = this.fields[name];
      if (field.enabled !== current.listeners[name].enabled)
        out[`listeners.${name}.enabled`] = field.enabled;
      const port = Number(field.port);
      if (Number.isInteger(port) && port !== current.listeners[name].port)
        out[`listeners.${name}.port`] = port;
    }
    return out;
  }
}

function blank(): Record<ListenerName, Field> {
  return {
    imaps: { enabled: false, port: '' },
    imap: { enabled: false, port: '' },
    pop3s: { enabled: false, port: '' },
    pop3: { enabled: false, port: '' },
  };
}

function checkAll(
  fields: Record<ListenerName, Field>,
  adminPort: number | undefined,
): Record<ListenerName, FieldCheck> {
  const out = {} as Record<ListenerName, FieldCheck>;
  for (const name of LISTENERS) out[name] = checkOne(name, fields, adminPort);
  return out;
}

function checkOne(
  name: ListenerName,
  fields: Record<ListenerName, Field>,
  adminPort: number | undefined,
): FieldCheck {
  const text = fields[name].port.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    return { error: 'Enter a port number from 1 to 65535.', warning: null };
  const port = Number(text);
  const other = LISTENERS.find(
    (o) => o !== name && fields[o].port.trim() !== '' && Number(fields[o].port) === port,
  );
  if (other) return { error: `Port ${port} is also set for ${TITLES[other]}.`, warning: null };
  if (port === adminPort)
    return { error: `Port ${port} is the settings page's own port.`, warning: null };
  if (port < 1024)
    return {
      error: null,
      warning: `Ports below 1024 need administrator rights on Linux and macOS; ${port + 10000} works without.`,
    };
  return { error: null, warning: null };
}

export const TITLES: Readonly<Record<ListenerName, string>> = {
  imaps: 'IMAP over SSL',
  imap: 'IMAP with STARTTLS',
  pop3s: 'POP3 over SSL',
  pop3: 'POP3 with STLS',
};
