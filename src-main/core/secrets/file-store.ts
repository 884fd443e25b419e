/**
 * The headless fallback of the secret store: one JSON file in the data dir, mode 0600, replaced
 * atomically on every change. It protects against other users of the computer and against
 * secrets ending up in `settings.json`; it does not protect against someone who can read this
 * user's files (the desktop app uses the keychain instead: electron/safe-storage-secrets.ts).
 */
import { chmod, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';
import { Mutex } from '../util/mutex.js';
import type { SecretStore } from './secret-store.js';

const SECRET_FILE_MODE = 0o600;

export class FileSecretStore implements SecretStore {
  readonly #path: string;
  readonly #mutex = new Mutex();

  constructor(path: string) {
    this.#path = path;
  }

  get description(): string {
    return `${this.#path} (readable by you alone)`;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#read())[key];
  }

  set(key: string, value: string): Promise<void> {
    return this.#change((secrets) => {
      secrets[key] = value;
    });
  }

  async delete(key: string): Promise<boolean> {
    let had = false;
    await this.#change((secrets) => {
      had = key in secrets;
      delete secrets[key];
    });
    return had;
  }

  async #change(edit: (secrets: Record<string, string>) => void): Promise<void> {
    await this.#mutex.run(async () => {
      const secrets = await this.#read();
      edit(secrets);
      await writeFileAtomic(this.#path, JSON.stringify(secrets, null, 2), {
        mode: SECRET_FILE_MODE,
      });
      await chmod(this.#path, SECRET_FILE_MODE); // an older file may have had a wider mode
    });
  }

  async #read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const secrets: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') secrets[k] = v;
    return secrets;
  }
}
