/**
 * Secrets sealed by the OS keychain (a KeyVault: Electron's safeStorage in the desktop app):
 * the file holds only ciphertext that this user's keychain can open. A secret set while the
 * keychain was not at hand (`mailport relay set` on the command line writes the plain file) is
 * sealed and removed from the plain file the first time it is read here.
 */
import type { KeyVault } from '../certs/key-vault.js';
import { FileSecretStore } from './file-store.js';
import type { SecretStore } from './secret-store.js';

export class SealedSecretStore implements SecretStore {
  readonly #sealed: FileSecretStore;
  readonly #plain: FileSecretStore;
  readonly #vault: KeyVault;

  /** `sealedPath` holds base64 ciphertext; `plainPath` is the headless store it takes over. */
  constructor(sealedPath: string, plainPath: string, vault: KeyVault) {
    this.#sealed = new FileSecretStore(sealedPath);
    this.#plain = new FileSecretStore(plainPath);
    this.#vault = vault;
  }

  get description(): string {
    return this.#vault.name;
  }

  async get(key: string): Promise<string | undefined> {
    const sealed = await this.#sealed.get(key);
    if (sealed !== undefined) return this.#vault.open(Buffer.from(sealed, 'base64'));
    const plain = await this.#plain.get(key);
    if (plain === undefined) return undefined;
    await this.set(key, plain);
    await this.#plain.delete(key);
    return plain;
  }

  async set(key: string, value: string): Promise<void> {
    await this.#sealed.set(key, this.#vault.seal(value).toString('base64'));
    await this.#plain.delete(key);
  }

  async delete(key: string): Promise<boolean> {
    const sealed = await this.#sealed.delete(key);
    const plain = await this.#plain.delete(key);
    return sealed || plain;
  }
}
