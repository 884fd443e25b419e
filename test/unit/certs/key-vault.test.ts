import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CaKeyLockedError,
  caKeyState,
  readCaKey,
  sealCaKey,
  writeCaKey,
  type KeyVault,
} from '../../../src-main/core/certs/key-vault.js';
import { testVault } from '../../helpers/test-vault.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBn3\n-----END PRIVATE KEY-----\n';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailport-vault-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the CA key at rest', () => {
  it('is sealed into the vault and the plain file removed, readable only with the vault', async () => {
    await writeFile(join(dir, 'ca-key.pem'), PEM, { mode: 0o600 });
    const vault = testVault();
    expect(await sealCaKey(dir, vault)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['ca-key.sealed']);
    expect((await readFile(join(dir, 'ca-key.sealed'))).includes('PRIVATE KEY')).toBe(false);
    expect((await stat(join(dir, 'ca-key.sealed'))).mode & 0o777).toBe(0o600);
    expect(await caKeyState(dir)).toBe('sealed');
    expect(await readCaKey(dir, vault)).toBe(PEM);
    await expect(readCaKey(dir)).rejects.toBeInstanceOf(CaKeyLockedError);
    await expect(readCaKey(dir, testVault())).rejects.toThrow(); // another keychain cannot open it
  });

  it('keeps the plain key when the vault does not give it back unchanged', async () => {
    await writeFile(join(dir, 'ca-key.pem'), PEM, { mode: 0o600 });
    const broken: KeyVault = { ...testVault(), open: () => 'something else' };
    await expect(sealCaKey(dir, broken)).rejects.toThrow(/unchanged/);
    expect(await readFile(join(dir, 'ca-key.pem'), 'utf8')).toBe(PEM);
    expect(await readCaKey(dir)).toBe(PEM);
  });

  it('writes a new key in the form this process keeps and drops the other form', async () => {
    const vault = testVault();
    await writeCaKey(dir, PEM, vault);
    expect(await caKeyState(dir)).toBe('sealed');
    await writeCaKey(dir, PEM.replace('Bn3', 'Xy9'));
    expect(await caKeyState(dir)).toBe('plain');
    expect((await readdir(dir)).sort()).toEqual(['ca-key.pem']);
    expect(await readCaKey(dir)).toContain('Xy9');
    expect(await caKeyState(join(dir, 'none'))).toBe('missing');
    expect(await readCaKey(join(dir, 'none'))).toBeUndefined();
  });
});
