/** The certificates ensureCertificate writes, as a TLS client or a phone would read them. */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificate, type EnsureResult } from '../../../src-main/core/certs/index.js';
import { children, extensions, hex, OID, permittedSubtrees, signatureAlgorithm } from './der.js';

const machine = {
  hostName: 'Mailbox',
  addresses: ['192.168.1.20', 'fd00::20', '203.0.113.9', '2001:db8::5', 'fe80::1'],
};

let dir: string;
let result: EnsureResult;
let ca: X509Certificate;
let leaf: X509Certificate;
let chain: string;

const DAY = 24 * 3600 * 1000;
const days = (cert: X509Certificate) =>
  (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY;
const mode = async (path: string) => (await stat(path)).mode & 0o777;

beforeAll(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'mailport-certs-')), 'certs');
  result = await ensureCertificate(dir, machine);
  ca = new X509Certificate(await readFile(join(dir, 'ca.pem')));
  chain = await readFile(join(dir, 'server.pem'), 'utf8');
  leaf = new X509Certificate(chain);
});

afterAll(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('the files', () => {
  it('are created on first need, keys readable by the user alone', async () => {
    expect(result.created).toBe('ca-and-leaf');
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, 'ca-key.pem'))).toBe(0o600);
    expect(await mode(join(dir, 'server-key.pem'))).toBe(0o600);
    expect(await mode(join(dir, 'ca.pem'))).toBe(0o644);
    expect(result.info.files).toEqual({
      caCert: join(dir, 'ca.pem'),
      caKey: join(dir, 'ca-key.pem'),
      cert: join(dir, 'server.pem'),
      key: join(dir, 'server-key.pem'),
    });
  });

  it('put the leaf, then the CA, in server.pem', async () => {
    const blocks = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    expect(blocks).toHaveLength(2);
    expect(new X509Certificate(blocks![1]!).fingerprint256).toBe(ca.fingerprint256);
    expect(chain).not.toContain('PRIVATE KEY');
  });
});

describe('the server certificate', () => {
  it('names this computer, its private addresses and loopback, and nothing else', () => {
    expect(leaf.subjectAltName!.split(', ').sort()).toEqual(
      [
        'DNS:mailbox',
        'DNS:mailbox.local',
        'DNS:localhost',
        'IP Address:127.0.0.1',
        'IP Address:0:0:0:0:0:0:0:1',
        'IP Address:192.168.1.20',
        'IP Address:FD00:0:0:0:0:0:0:20',
        'IP Address:FE80:0:0:0:0:0:0:1',
      ].sort(),
    );
    expect(leaf.checkHost('mailbox.local')).toBe('mailbox.local');
    expect(leaf.checkIP('192.168.1.20')).toBe('192.168.1.20');
    expect(leaf.checkIP('203.0.113.9')).toBeUndefined();
    expect(result.info.dnsNames).toEqual(['mailbox', 'mailbox.local', 'localhost']);
    expect(result.info.ipAddresses).toEqual([
      '127.0.0.1',
      '::1',
      '192.168.1.20',
      'fd00::20',
      'fe80::1',
    ]);
  });

  it('says which public addresses it left out, and what to use instead', () => {
    expect(result.omitted.map((o) => o.name)).toEqual(['203.0.113.9', '2001:db8::5']);
    expect(result.omitted[0]!.reason).toMatch(/not a private address.*"mailbox\.local"/);
  });

  it('is a TLS server certificate valid for at most 825 days', () => {
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // node: the extended key usage
    expect(days(leaf)).toBeLessThanOrEqual(825);
    expect(days(leaf)).toBeGreaterThan(800);
    expect(Date.parse(leaf.validFrom)).toBeLessThanOrEqual(Date.now());
    expect(leaf.publicKey.asymmetricKeyType).toBe('rsa');
    expect(leaf.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(signatureAlgorithm(leaf)).toBe(OID.sha256WithRSAEncryption);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.issuer).toBe(ca.subject);
  });

  it('has critical CA:false, digitalSignature+keyEncipherment, SKI and the CA’s key id', () => {
    const ext = extensions(leaf);
    expect(ext.get(OID.basicConstraints)).toMatchObject({ critical: true });
    expect(children(ext.get(OID.basicConstraints)!.value)).toEqual([]); // cA DEFAULT FALSE
    const usage = ext.get(OID.keyUsage)!;
    expect(usage.critical).toBe(true);
    expect(hex(usage.value)).toBe('05a0'); // 5 unused bits; bits 0 and 2
    expect(ext.get(OID.subjectKeyIdentifier)).toBeDefined();
    const aki = children(ext.get(OID.authorityKeyIdentifier)!.value)[0];
    expect(hex(aki)).toBe(hex(extensions(ca).get(OID.subjectKeyIdentifier)!.value));
    expect(hex(aki)).not.toBe(hex(ext.get(OID.subjectKeyIdentifier)!.value));
  });

  it('has a positive serial number of about 128 random bits, unlike the CA’s', () => {
    expect(leaf.serialNumber).toMatch(/^[0-9A-F]{26,32}$/);
    expect(leaf.serialNumber).not.toBe(ca.serialNumber);
    expect(result.info.serialNumber).toBe(leaf.serialNumber);
    expect(result.info.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(result.info.caFingerprintSha256).toBe(ca.fingerprint256);
  });
});

describe('the local CA', () => {
  it('is a CA for leaves only, for ten years, signing certificates and CRLs', () => {
    expect(ca.ca).toBe(true);
    expect(ca.subject).toMatch(/CN=Mailport local CA \(mailbox\)/);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(signatureAlgorithm(ca)).toBe(OID.sha256WithRSAEncryption);
    expect(days(ca)).toBeGreaterThan(3600);
    const ext = extensions(ca);
    const basic = ext.get(OID.basicConstraints)!;
    expect(basic.critical).toBe(true);
    expect(children(basic.value).map(hex)).toEqual(['ff', '00']); // cA TRUE, pathLen 0
    expect(ext.get(OID.keyUsage)).toMatchObject({ critical: true });
    expect(hex(ext.get(OID.keyUsage)!.value)).toBe('0106'); // keyCertSign, cRLSign
    expect(ext.get(OID.subjectKeyIdentifier)).toBeDefined();
    expect(ca.serialNumber).toMatch(/^[0-9A-F]{26,32}$/);
  });

  it('is name-constrained (critical) to this computer, local domains and private ranges', () => {
    const constraints = extensions(ca).get(OID.nameConstraints)!;
    expect(constraints.critical).toBe(true);
    expect(permittedSubtrees(constraints.value)).toEqual([
      'DNS:localhost',
      'DNS:mailbox',
      'DNS:local',
      'DNS:lan',
      'DNS:home.arpa',
      'IP:127.0.0.0/255.0.0.0',
      'IP:10.0.0.0/255.0.0.0',
      'IP:172.16.0.0/255.240.0.0',
      'IP:192.168.0.0/255.255.0.0',
      'IP:169.254.0.0/255.255.0.0',
      'IP:0000:0000:0000:0000:0000:0000:0000:0001/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'IP:fc00:0000:0000:0000:0000:0000:0000:0000/fe00:0000:0000:0000:0000:0000:0000:0000',
      'IP:fe80:0000:0000:0000:0000:0000:0000:0000/ffc0:0000:0000:0000:0000:0000:0000:0000',
    ]);
  });
});
