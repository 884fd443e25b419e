/**
 * A stand-in for the OS keychain behind Electron's safeStorage: AES-256-GCM under a key only
 * this object holds, so another vault (another keychain) cannot open what it sealed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyVault } from '../../src-main/core/certs/key-vault.js';

export function testVault(): KeyVault {
  const key = randomBytes(32);
  return {
    name: 'the test keychain',
    seal(pem) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString();
    },
  };
}
