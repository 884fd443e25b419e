/**
 * Electron's safeStorage as the CA key's vault, only where it is backed by the OS keychain:
 * on Linux without a keyring it falls back to a fixed password ("basic_text"), which protects
 * nothing, and the key then stays in its 0600 file as in headless mode.
 */
import { safeStorage } from 'electron';
import type { KeyVault } from '../core/certs/key-vault.js';

const LINUX_BACKENDS: Readonly<Record<string, string>> = {
  gnome_libsecret: 'the GNOME keyring',
  kwallet: 'KWallet',
  kwallet5: 'KWallet',
  kwallet6: 'KWallet',
};

export function keychainVault(): KeyVault | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  let name: string | undefined;
  if (process.platform === 'darwin') name = 'the macOS Keychain';
  else if (process.platform === 'win32') name = 'Windows data protection';
  else name = LINUX_BACKENDS[safeStorage.getSelectedStorageBackend()];
  if (!name) return undefined;
  return {
    name,
    seal: (pem) => safeStorage.encryptString(pem),
    open: (sealed) => safeStorage.decryptString(sealed),
  };
}
