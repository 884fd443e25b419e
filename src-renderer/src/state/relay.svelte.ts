/**
 * The Outgoing mail screen: the provider's server that phones' mail is relayed to (issue 18).
 * The password is typed, sent once to Mailport (which keeps it in the keychain or a 0600
 * file) and never shown again: the screen only knows whether one is saved.
 */
import type { RelayView } from '../../../src-main/core/control/api.js';
import type { MailportBridge } from '../bridge.js';
import { errorsByKey } from '../lib/errors-by-key.js';
import {
  RELAY_KEYS,
  checkRelay,
  fieldsFrom,
  portForSecurity,
  relayArgs,
  type RelayFields,
  type RelaySecurity,
} from '../lib/relay.js';
import { Action } from './action.svelte.js';
import type { SettingsState } from './settings.svelte.js';

export class RelayForm {
  view = $state<RelayView | null>(null);
  fields = $state<RelayFields>(fieldsFrom(BLANK));
  /** The password field is open: none is saved yet, or the user pressed Change. */
  changingPassword = $state(true);
  /** Errors Mailport gave for one field (`relay.host`…). */
  serverErrors = $state<Record<string, string>>({});
  readonly save = new Action();
  readonly remove = new Action();
  readonly checks = $derived(checkRelay(this.fields));
  readonly #bridge: MailportBridge;
  readonly #settings: SettingsState;

  constructor(bridge: MailportBridge, settings: SettingsState) {
    this.#bridge = bridge;
    this.#settings = settings;
    settings.onChangedElsewhere(() => {
      if (!this.save.busy && !this.remove.busy) void this.load().catch(() => undefined);
    });
  }

  async load(): Promise<void> {
    this.#show(await this.#bridge.getRelay({}));
  }

  setSecurity(security: RelaySecurity): void {
    this.fields.port = portForSecurity(this.fields.port, security);
    this.fields.security = security;
  }

  /** "Change": opens the password field; "Keep the saved password" closes it again. */
  changePassword(open: boolean): void {
    this.changingPassword = open || !this.view?.passwordSaved;
    this.fields.password = '';
  }

  async submit(): Promise<void> {
    if (this.checks.host || this.checks.port)
      return this.save.refuse('Some fields need a change first: see the messages above.');
    this.serverErrors = {};
    const args = relayArgs(this.fields, this.changingPassword);
    const view = await this.save.run(async () => {
      const saved = await this.#bridge.setRelay(args);
      await this.#settings.load();
      return saved;
    }, 'Saved. You can now turn on sending on the Protocols and ports screen.');
    if (view) this.#show(view);
    else if (this.save.error) this.serverErrors = errorsByKey(this.save.error, RELAY_KEYS);
  }

  async forget(): Promise<void> {
    const view = await this.remove.run(async () => {
      const removed = await this.#bridge.removeRelay({});
      await this.#settings.load();
      return removed;
    }, 'Removed. Phones can no longer send through Mailport.');
    if (view) {
      this.save.clear();
      this.#show(view);
    }
  }

  #show(view: RelayView): void {
    this.view = view;
    this.fields = view.configured ? fieldsFrom(view) : fieldsFrom(BLANK);
    this.changingPassword = !view.passwordSaved;
    this.serverErrors = {};
  }
}

const BLANK: RelayView = {
  configured: false,
  host: '',
  port: 465,
  security: 'tls',
  username: '',
  saveToSent: true,
  passwordSaved: false,
  passwordStore: '',
};
