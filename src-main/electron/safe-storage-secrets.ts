/**
 * The secret store of the desktop app: sealed by the OS keychain through safeStorage where
 * there is one (the same rule as the CA key, key-vault.ts), else the headless 0600 file.
 */
import { join } from 'node:path';
import { dataPaths } from '../core/config/paths.js';
import { FileSecretStore } from '../core/secrets/file-store.js';
import { SealedSecretStore } from '../core/secrets/sealed-store.js';
import type { SecretStore } from '../core/secrets/secret-store.js';
import { keychainVault } from './key-vault.js';

export function desktopSecrets(dataDir: string): SecretStore {
  const paths = dataPaths(dataDir);
  const vault = keychainVault();
  if (!vault) return new FileSecretStore(paths.secrets);
  return new SealedSecretStore(join(dataDir, 'secrets.sealed.json'), paths.secrets, vault);
}
