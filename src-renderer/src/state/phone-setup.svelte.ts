/**
 * Set up a phone: opens the short-lived setup page for one account, shows its QR code and link,
 * and closes it again with "Done".
 */
import type { PhoneSetup } from '../../../src-main/core/control/api.js';
import type { MailportBridge } from '../bridge.js';
import { Action } from './action.svelte.js';

export class PhoneSetupState {
  setup = $state<PhoneSetup | null>(null);
  readonly start = new Action();
  readonly stop = new Action();
  readonly #bridge: MailportBridge;

  /** The QR code as an image URL: an <img> never runs what an SVG might contain. */
  readonly qrImage = $derived(
    this.setup ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(this.setup.qrSvg)}` : null,
  );

  constructor(bridge: MailportBridge) {
    this.#bridge = bridge;
  }

  async refresh(): Promise<void> {
    this.setup = await this.#bridge.getPhoneSetup({}).catch(() => null);
  }

  async open(account: string): Promise<void> {
    const setup = await this.start.run(() => this.#bridge.startPhoneSetup({ account }));
    if (setup) this.setup = setup;
  }

  async done(): Promise<void> {
    const result = await this.stop.run(() => this.#bridge.stopPhoneSetup({}));
    if (result) this.setup = null;
  }
}
