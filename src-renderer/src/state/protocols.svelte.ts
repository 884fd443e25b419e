/**
 * The Protocols and ports form: each listener's switch and port as the user types them,
 * checked as they type (lib/listeners.ts; the submission ones need a saved relay), and applied
 * live with the keys `listeners.<name>.enabled` / `.port`.
 */
import type { ListenerName } from '../../../src-main/core/config/schema.js';
import { Action } from './action.svelte.js';
import {
  LISTENERS,
  NEEDS_RELAY,
  STANDARD_PORTS,
  checkPorts,
  type ListenerField,
} from '../lib/listeners.js';
import { errorsByKey } from '../lib/errors-by-key.js';
import type { SettingChanges, SettingsState } from './settings.svelte.js';

export class ProtocolsForm {
  fields = $state<Record<ListenerName, ListenerField>>(blank());
  /** Errors the server gave for one listener (a port in use, say). */
  serverErrors = $state<Partial<Record<ListenerName, string>>>({});
  readonly apply = new Action();
  readonly #settings: SettingsState;

  readonly checks = $derived(checkPorts(this.fields, this.#adminPort(), this.#hasRelay()));
  readonly valid = $derived(LISTENERS.every((n) => !this.checks[n].error));
  readonly changes = $derived(this.#changes());

  constructor(settings: SettingsState) {
    this.#settings = settings;
    settings.onChangedElsewhere(() => this.apply.clear());
  }

  #adminPort(): number | undefined {
    return this.#settings.current?.admin.port;
  }

  /** Unknown until the settings load: then the check waits for Mailport's own answer. */
  #hasRelay(): boolean {
    const current = this.#settings.current;
    return !current || current.relay.host !== '';
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
      return this.apply.refuse(
        LISTENERS.some((n) => this.checks[n].error === NEEDS_RELAY)
          ? 'Sending cannot be turned on yet: see the message above.'
          : 'Some ports need a change first: see the messages above.',
      );
    if (Object.keys(this.changes).length === 0)
      return this.apply.say('Nothing to apply: these are the settings in use.');
    this.serverErrors = {};
    const ok = await this.apply.run(async () => {
      await this.#settings.update(this.changes);
      return true;
    }, 'Applied. Phones connect to the new ports from now on.');
    if (ok) this.reset();
    else if (this.apply.error) this.serverErrors = listenerErrors(this.apply.error);
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

/**
 * Mailport names a listener (`imap: Another program…`) or one of its keys
 * (`listeners.submission.enabled: submission needs a relay first…`): both go beside it.
 */
function listenerErrors(message: string): Partial<Record<ListenerName, string>> {
  const keys = LISTENERS.flatMap((n) => [n, `listeners.${n}.enabled`, `listeners.${n}.port`]);
  const out: Partial<Record<ListenerName, string>> = {};
  for (const [key, text] of Object.entries(errorsByKey(message, keys))) {
    const name = LISTENERS.find((n) => key === n || key.startsWith(`listeners.${n}.`))!;
    out[name] = out[name] ? `${out[name]} ${text}` : text;
  }
  return out;
}

function blank(): Record<ListenerName, ListenerField> {
  const out = {} as Record<ListenerName, ListenerField>;
  for (const name of LISTENERS) out[name] = { enabled: false, port: '' };
  return out;
}
