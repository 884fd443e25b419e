/**
 * The Certificate screen: details, trusting the local CA on this computer (one result per
 * trust store), renewing (with a warning first when the key changes) and importing your own.
 */
import type { CertificateDetails, TrustStoreResult } from '../../../src-main/core/control/api.js';
import type { MailportBridge } from '../bridge.js';
import { Action } from './action.svelte.js';

export class CertificateState {
  details = $state<CertificateDetails | null>(null);
  trustResults = $state<TrustStoreResult[] | null>(null);
  readonly load = new Action();
  readonly trust = new Action();
  readonly untrust = new Action();
  readonly renew = new Action();
  readonly importPem = new Action();
  readonly importPfx = new Action();
  readonly #bridge: MailportBridge;

  constructor(bridge: MailportBridge) {
    this.#bridge = bridge;
  }

  async refresh(): Promise<void> {
    const details = await this.load.run(() => this.#bridge.getCertificate({}));
    if (details) this.details = details;
  }

  async installTrust(system: boolean): Promise<void> {
    const result = await this.trust.run(() =>
      this.#bridge.installTrust(system ? { system: true } : {}),
    );
    if (!result) return;
    this.trustResults = result.results;
    await this.refresh();
  }

  async uninstallTrust(system: boolean): Promise<void> {
    const result = await this.untrust.run(() =>
      this.#bridge.uninstallTrust(system ? { system: true } : {}),
    );
    if (!result) return;
    this.trustResults = result.results;
    await this.refresh();
  }

  async renewCertificate(): Promise<void> {
    const details = await this.renew.run(
      () => this.#bridge.renewCertificate({}),
      'Renewed. New connections get the new certificate.',
    );
    if (details) this.details = details;
  }

  async importPemFiles(cert: File, key: File): Promise<boolean> {
    const details = await this.importPem.run(
      async () =>
        this.#bridge.importCertificate({ pem: { cert: await cert.text(), key: await key.text() } }),
      'Imported. Mailport serves your certificate from now on.',
    );
    if (details) this.details = details;
    return !!details;
  }

  async importPfxFile(file: File, password: string): Promise<boolean> {
    const details = await this.importPfx.run(
      async () =>
        this.#bridge.importCertificate({
          pfx: { base64: toBase64(new Uint8Array(await file.arrayBuffer())), password },
        }),
      'Imported. Mailport serves your certificate from now on.',
    );
    if (details) this.details = details;
    return !!details;
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
