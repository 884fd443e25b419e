/**
 * The desktop app seals the CA key into the OS keychain; headless Mailport must go on serving
 * the same CA and certificate without it, and say what it cannot do. The keychain here is a
 * stand-in (AES-GCM under a key only the test holds); the certificate logic is the real one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureCertificate,
  renewCertificate,
  replaceAuthority,
} from '../../../src-main/core/certs/index.js';
import { CaKeyLockedError, sealCaKey } from '../../../src-main/core/certs/key-vault.js';
import { testVault } from '../../helpers/test-vault.js';

const machine = { hostName: 'mailbox', addresses: ['192.168.1.20'] };
const moved = { hostName: 'mailbox', addresses: ['192.168.1.20', '192.168.1.77'] };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailport-sealed-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('a CA key sealed in the desktop keychain', () => {
  it('keeps one CA for both modes; headless serves on and says what it cannot issue', async () => {
    const vault = testVault();
    const first = await ensureCertificate(dir, machine);
    const caPem = await readFile(join(dir, 'ca.pem'), 'utf8');
    expect(await sealCaKey(dir, vault)).toBe(true);
    expect(await readdir(dir)).not.toContain('ca-key.pem');

    // Headless, nothing to change: the same certificate, no new CA.
    const same = await ensureCertificate(dir, machine);
    expect(same.created).toBe('none');
    expect(same.info.fingerprintSha256).toBe(first.info.fingerprintSha256);

    // Headless, a new LAN address: the old certificate stays in service, with the reason.
    const blocked = await ensureCertificate(dir, moved);
    expect(blocked.created).toBe('none');
    expect(blocked.info.fingerprintSha256).toBe(first.info.fingerprintSha256);
    expect(blocked.blocked).toMatch(/192\.168\.1\.77.*desktop app/s);
    await expect(renewCertificate(dir, machine)).rejects.toBeInstanceOf(CaKeyLockedError);
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(caPem);

    // Desktop, with the keychain: the leaf is re-issued from the same CA; the key stays sealed.
    const desktop = await ensureCertificate(dir, moved, { vault });
    expect(desktop.created).toBe('leaf');
    expect(desktop.info.ipAddresses).toContain('192.168.1.77');
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(caPem);
    expect((await readdir(dir)).sort()).toEqual(
      expect.arrayContaining(['ca-key.sealed', 'ca.pem', 'server-key.pem', 'server.pem']),
    );
    expect(await readdir(dir)).not.toContain('ca-key.pem');
  }, 60_000);

  it('lets headless make a new CA on request, kept in a plain 0600 file again', async () => {
    await ensureCertificate(dir, machine);
    const caPem = await readFile(join(dir, 'ca.pem'), 'utf8');
    await sealCaKey(dir, testVault());
    const made = await replaceAuthority(dir, machine);
    expect(made.created).toBe('ca-and-leaf');
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).not.toBe(caPem);
    const files = await readdir(dir);
    expect(files).toContain('ca-key.pem');
    expect(files).not.toContain('ca-key.sealed');
  }, 60_000);
});
