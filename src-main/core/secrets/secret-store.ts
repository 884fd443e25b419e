/**
 * Secrets Mailport must be able to read back (the relay password: the provider wants it in
 * clear on every connection, so it cannot be hashed). Kept out of `settings.json`, which users
 * copy, paste into bug reports and back up. Two implementations: the OS keychain through
 * Electron's safeStorage (electron/safe-storage-secrets.ts) in the desktop app, and a file
 * readable by the user alone (file-store.ts) when there is no keychain (headless).
 */
export interface SecretStore {
  /** Where the secrets are, in words for the user ("the macOS Keychain", a file path). */
  readonly description: string;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** True when there was something to delete. */
  delete(key: string): Promise<boolean>;
}

/** The key of the smarthost's password. */
export const RELAY_PASSWORD_KEY = 'relay.password';
