/** When the CA and the server certificate are kept, re-issued or repaired. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureCertificate,
  loadTlsMaterial,
  readCertificateInfo,
  renewCertificate,
  replaceAuthority,
  type MachineNames,
} from '../../../src-main/core/certs/index.js';
import { renewReplacesKey } from '../../../src-main/core/certs/ensure.js';
import { writeOldAuthority } from './old-authority.js';

const machine: MachineNames = { hostName: 'mailbox', addresses: ['192.168.1.20'] };
const DAY = 24 * 3600 * 1000;
// Each new CA or leaf is an RSA key: seconds on a loaded machine.
let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-certs-'));
  dir = join(root, 'certs');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const file = (name: string) => join(dir, name);
const fingerprint = async (name: string) =>
  new X509Certificate(await readFile(file(name))).fingerprint256;

describe('ensureCertificate', { timeout: 30_000 }, () => {
  it('keeps what is there when nothing changed', async () => {
    const first = await ensureCertificate(dir, machine);
    const second = await ensureCertificate(dir, machine);
    expect(second.created).toBe('none');
    expect(second.reason).toBeUndefined();
    expect(second.info).toEqual(first.info);
  });

  it('re-issues the leaf, under the same CA, when a LAN address is new', async () => {
    const first = await ensureCertificate(dir, machine);
    const ca = await fingerprint('ca.pem');
    const moved = await ensureCertificate(dir, { ...machine, addresses: ['10.0.0.7'] });
    expect(moved.created).toBe('leaf');
    expect(moved.reason).toBe('the server certificate did not cover 10.0.0.7');
    expect(moved.info.ipAddresses).toContain('10.0.0.7');
    expect(moved.info.fingerprintSha256).not.toBe(first.info.fingerprintSha256);
    expect(await fingerprint('ca.pem')).toBe(ca);
    expect(moved.info.caFingerprintSha256).toBe(ca);
  });

  it('re-issues the leaf within 30 days of expiry, and not before', async () => {
    const first = await ensureCertificate(dir, machine);
    const at = (days: number) => new Date(first.info.notAfter.getTime() - days * DAY);
    expect((await ensureCertificate(dir, machine, { now: at(31) })).created).toBe('none');
    const renewed = await ensureCertificate(dir, machine, { now: at(29) });
    expect(renewed.created).toBe('leaf');
    expect(renewed.reason).toMatch(/^the server certificate expires on \d{4}-\d\d-\d\d$/);
    expect(renewed.info.notAfter.getTime()).toBeGreaterThan(first.info.notAfter.getTime());
    expect(renewed.info.caFingerprintSha256).toBe(first.info.caFingerprintSha256);
  });

  it('replaces a CA that is about to expire, and says so', async () => {
    await ensureCertificate(dir, machine);
    const ca = new X509Certificate(await readFile(file('ca.pem')));
    const now = new Date(Date.parse(ca.validTo) - 10 * DAY);
    const result = await ensureCertificate(dir, machine, { now });
    expect(result.created).toBe('ca-and-leaf');
    expect(result.reason).toMatch(/^the local certificate authority expires on/);
    expect(await fingerprint('ca.pem')).not.toBe(ca.fingerprint256);
  });

  it('regenerates a damaged or missing server.pem or key, keeping the CA', async () => {
    const first = await ensureCertificate(dir, machine);
    await writeFile(file('server.pem'), '-----BEGIN CERTIFICATE-----\nnonsense\n');
    const repaired = await ensureCertificate(dir, machine);
    expect(repaired).toMatchObject({
      created: 'leaf',
      reason: 'server.pem was missing or damaged',
    });
    expect(repaired.info.caFingerprintSha256).toBe(first.info.caFingerprintSha256);

    await unlink(file('server-key.pem'));
    expect((await ensureCertificate(dir, machine)).reason).toBe(
      'server-key.pem was missing or damaged',
    );
    await copyFile(file('ca-key.pem'), file('server-key.pem'));
    expect((await ensureCertificate(dir, machine)).reason).toBe(
      'server-key.pem did not belong to server.pem',
    );
    expect(await loadTlsMaterial(dir)).toBeDefined();
  });

  it('re-issues a leaf that another CA signed', async () => {
    await ensureCertificate(dir, machine);
    const other = join(root, 'other');
    await ensureCertificate(other, machine);
    for (const name of ['server.pem', 'server-key.pem']) {
      await copyFile(join(other, name), file(name));
    }
    const result = await ensureCertificate(dir, machine);
    expect(result.created).toBe('leaf');
    expect(result.reason).toMatch(/not signed by the current local certificate authority/);
    const leaf = new X509Certificate(await readFile(file('server.pem')));
    expect(leaf.verify(new X509Certificate(await readFile(file('ca.pem'))).publicKey)).toBe(true);
  });

  it('makes a new CA when its key is missing or damaged, or ca.pem is garbage', async () => {
    await ensureCertificate(dir, machine);
    await unlink(file('ca-key.pem'));
    const noKey = await ensureCertificate(dir, machine);
    expect(noKey).toMatchObject({
      created: 'ca-and-leaf',
      reason: 'ca-key.pem is missing or damaged',
    });
    await writeFile(file('ca.pem'), 'garbage');
    const garbage = await ensureCertificate(dir, machine);
    expect(garbage.reason).toBe('ca.pem could not be read as a certificate');
    await copyFile(file('server-key.pem'), file('ca-key.pem'));
    expect((await ensureCertificate(dir, machine)).reason).toBe(
      'ca-key.pem does not belong to ca.pem',
    );
    // A leaf is not a CA, even with the right key next to it.
    await copyFile(file('server.pem'), file('ca.pem'));
    await copyFile(file('server-key.pem'), file('ca-key.pem'));
    expect((await ensureCertificate(dir, machine)).reason).toBe(
      'ca.pem is not a name-constrained Mailport certificate authority',
    );
  });

  it('takes widened permissions back to 0700 and 0600', async () => {
    await ensureCertificate(dir, machine);
    await chmod(dir, 0o755);
    await chmod(file('ca-key.pem'), 0o644);
    await chmod(file('server-key.pem'), 0o666);
    expect((await ensureCertificate(dir, machine)).created).toBe('none');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(file('ca-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(file('server-key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('runs one at a time per folder, so concurrent callers share one CA', async () => {
    const steps: string[] = [];
    const results = await Promise.all([
      ensureCertificate(dir, machine, { onProgress: (s) => steps.push(s) }),
      ensureCertificate(dir, machine, { onProgress: (s) => steps.push(s) }),
    ]);
    expect(results.map((r) => r.created)).toEqual(['ca-and-leaf', 'none']);
    expect(steps).toEqual([
      'Creating the local certificate authority',
      'Creating the server certificate for mailbox, mailbox.local, localhost, 127.0.0.1, ::1, 192.168.1.20',
    ]);
  });

  it('leaves out a host name the CA was not made for, keeping its .local name', async () => {
    const first = await ensureCertificate(dir, machine);
    const renamed = { ...machine, hostName: 'newbox' };
    const result = await ensureCertificate(dir, renamed);
    // "newbox.local" is under "local", which the CA permits; "newbox" alone is not.
    expect(result.created).toBe('leaf');
    expect(result.info.dnsNames).toEqual(['newbox.local', 'localhost']);
    expect(result.info.caFingerprintSha256).toBe(first.info.caFingerprintSha256);
    expect(result.omitted.map((o) => o.name)).toEqual(['newbox']);
    expect(result.omitted[0]!.reason).toMatch(/create a new local CA/);
    expect((await ensureCertificate(dir, renamed)).created).toBe('none');

    const replaced = await replaceAuthority(dir, renamed);
    expect(replaced.created).toBe('ca-and-leaf');
    expect(replaced.omitted).toEqual([]);
    expect(replaced.info.dnsNames).toEqual(['newbox', 'newbox.local', 'localhost']);
    expect(replaced.info.caFingerprintSha256).not.toBe(first.info.caFingerprintSha256);
  });

  it('leaves out a host name that cannot be a DNS name', async () => {
    const result = await ensureCertificate(dir, { hostName: 'my_box', addresses: [] });
    expect(result.info.dnsNames).toEqual(['localhost']);
    expect(result.info.subject).toBe('O=Mailport, CN=localhost');
    expect(result.omitted).toEqual([
      { name: 'my_box', reason: expect.stringMatching(/cannot be written in a certificate/) },
    ]);
  });

  it('tells the user what to do when the folder cannot be written', async () => {
    await writeFile(join(root, 'file'), 'not a folder');
    await expect(ensureCertificate(join(root, 'file', 'certs'), machine)).rejects.toThrow(
      /Could not create the certificate folder .*file\/certs .*choose another data folder/,
    );
  });
});

describe('renewCertificate', { timeout: 30_000 }, () => {
  it('makes a new leaf under the same CA', async () => {
    const first = await ensureCertificate(dir, machine);
    const renewed = await renewCertificate(dir, machine);
    expect(renewed).toMatchObject({
      created: 'leaf',
      reason: 'a new server certificate was asked for',
    });
    expect(renewed.info.serialNumber).not.toBe(first.info.serialNumber);
    expect(renewed.info.caFingerprintSha256).toBe(first.info.caFingerprintSha256);
  });
});

describe('readCertificateInfo and loadTlsMaterial', { timeout: 30_000 }, () => {
  it('report nothing for an empty folder, and what ensureCertificate made after', async () => {
    expect(await readCertificateInfo(dir)).toBeUndefined();
    expect(await loadTlsMaterial(dir)).toBeUndefined();
    const result = await ensureCertificate(dir, machine);
    expect(await readCertificateInfo(dir)).toEqual(result.info);
    const material = await loadTlsMaterial(dir);
    expect(material?.cert).toBe(await readFile(file('server.pem'), 'utf8'));
    expect(material?.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(material?.key).toBe(await readFile(file('server-key.pem'), 'utf8'));
    expect(material?.key).not.toBe(await readFile(file('ca-key.pem'), 'utf8'));
  });

  it('refuse a key that does not belong to the certificate', async () => {
    await ensureCertificate(dir, machine);
    await copyFile(file('ca-key.pem'), file('server-key.pem'));
    expect(await loadTlsMaterial(dir)).toBeUndefined();
  });
});

describe('the server key across re-issues', { timeout: 30_000 }, () => {
  const key = () => readFile(file('server-key.pem'), 'utf8');

  it('is kept when the leaf is renewed or re-issued for a new address', async () => {
    await ensureCertificate(dir, machine);
    const original = await key();
    expect(await renewReplacesKey(dir)).toBe(false);
    const renewed = await renewCertificate(dir, machine);
    expect(renewed.created).toBe('leaf');
    expect(await key()).toBe(original);
    await ensureCertificate(dir, { ...machine, addresses: ['10.9.8.7'] });
    expect(await key()).toBe(original);
    const leaf = new X509Certificate(await readFile(file('server.pem')));
    expect(leaf.checkPrivateKey(createPrivateKey(original))).toBe(true);
  });

  it('is replaced with a new CA, and renewReplacesKey says so beforehand', async () => {
    await ensureCertificate(dir, machine);
    const original = await key();
    await replaceAuthority(dir, machine);
    expect(await key()).not.toBe(original);

    // A key that does not belong to the leaf cannot be kept.
    await copyFile(file('ca-key.pem'), file('server-key.pem'));
    expect(await renewReplacesKey(dir)).toBe(true);
    await renewCertificate(dir, machine);
    expect(await renewReplacesKey(dir)).toBe(false);
  });
});

describe('a CA from an earlier version', { timeout: 30_000 }, () => {
  it('is replaced when it only permitted the host names', async () => {
    const old = await writeOldAuthority(dir, ['mailbox', 'mailbox.local', 'localhost']);
    const result = await ensureCertificate(dir, machine);
    expect(result.created).toBe('ca-and-leaf');
    expect(result.reason).toMatch(/made by an earlier version of Mailport, with other name/);
    expect(result.info.caFingerprintSha256).not.toBe(old);
    expect((await ensureCertificate(dir, machine)).created).toBe('none');
  });

  it('is replaced when it had no name constraints at all', async () => {
    const old = await writeOldAuthority(dir, undefined);
    const result = await ensureCertificate(dir, machine);
    expect(result.reason).toBe('ca.pem is not a name-constrained Mailport certificate authority');
    expect(result.info.caFingerprintSha256).not.toBe(old);
  });
});
