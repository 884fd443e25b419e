/**
 * The secret stores on real files: the headless 0600 file, and the keychain-sealed one that
 * takes over a password set on the command line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecretStore } from '../../../src-main/core/secrets/file-store.js';
import { SealedSecretStore } from '../../../src-main/core/secrets/sealed-store.js';
import { testVault } from '../../helpers/test-vault.js';

const SECRET = 'provider app password';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailport-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileSecretStore', () => {
  it('writes a file only the user can read, and forgets on delete', async () => {
    const file = join(dir, 'secrets.json');
    const store = new FileSecretStore(file);
    expect(await store.get('relay.password')).toBeUndefined();
    await store.set('relay.password', SECRET);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await new FileSecretStore(file).get('relay.password')).toBe(SECRET);
    expect(await store.delete('relay.password')).toBe(true);
    expect(await store.delete('relay.password')).toBe(false);
    expect(await readFile(file, 'utf8')).not.toContain(SECRET);
  });
});

describe('SealedSecretStore', () => {
  it('keeps only ciphertext on disk and takes over a password from the plain file', async () => {
    const plainFile = join(dir, 'secrets.json');
    const sealedFile = join(dir, 'secrets.sealed.json');
    await new FileSecretStore(plainFile).set('relay.password', SECRET); // `mailport relay set`
    const vault = testVault();
    const sealed = new SealedSecretStore(sealedFile, plainFile, vault);
    expect(await sealed.get('relay.password')).toBe(SECRET);
    expect(await readFile(plainFile, 'utf8')).not.toContain(SECRET);
    expect(await readFile(sealedFile, 'utf8')).not.toContain(SECRET);
    expect(await new SealedSecretStore(sealedFile, plainFile, vault).get('relay.password')).toBe(
      SECRET,
    );
    // Another keychain cannot open it.
    await expect(
      new SealedSecretStore(sealedFile, plainFile, testVault()).get('relay.password'),
    ).rejects.toThrow();
  });
});
