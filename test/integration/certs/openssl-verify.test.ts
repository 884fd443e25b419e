/**
 * The certificates as OpenSSL judges them: the chain verifies in strict mode, and the CA's name
 * constraints make OpenSSL refuse leaves for any other site, even when signed with the CA key.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificate } from '../../../src-main/core/certs/index.js';
import { run } from '../../helpers/run.js';
import { signRogueLeaf, type RogueNames } from './rogue-leaf.js';

const machine = { hostName: 'mailbox', addresses: ['192.168.1.20', 'fd00::20', '203.0.113.9'] };
let root: string;
let dir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-certs-'));
  dir = join(root, 'certs');
  await ensureCertificate(dir, machine);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const file = (name: string) => join(dir, name);

function verify(cafile: string, cert: string, ...extra: string[]) {
  return run('openssl', ['verify', '-x509_strict', ...extra, '-CAfile', cafile, cert]);
}

async function fingerprint(path: string): Promise<string> {
  const result = await run('openssl', ['x509', '-in', path, '-noout', '-fingerprint', '-sha256']);
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

describe('openssl verify', () => {
  it('accepts server.pem under ca.pem in strict mode, as a TLS server', async () => {
    const result = await verify(file('ca.pem'), file('server.pem'), '-purpose', 'sslserver');
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`${file('server.pem')}: OK`);
    expect(result.code).toBe(0);
  });

  it.each([
    ['-verify_hostname', 'mailbox'],
    ['-verify_hostname', 'mailbox.local'],
    ['-verify_hostname', 'localhost'],
    ['-verify_hostname', 'MAILBOX.local'],
    ['-verify_ip', '127.0.0.1'],
    ['-verify_ip', '::1'],
    ['-verify_ip', '192.168.1.20'],
    ['-verify_ip', 'fd00::20'],
  ])('accepts it for %s %s', async (flag, name) => {
    const result = await verify(file('ca.pem'), file('server.pem'), flag, name);
    expect(result.stdout.trim()).toBe(`${file('server.pem')}: OK`);
  });

  it('refuses it for a public address the machine has, which the leaf leaves out', async () => {
    const result = await verify(file('ca.pem'), file('server.pem'), '-verify_ip', '203.0.113.9');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/IP address mismatch/);
  });

  it('shows the extensions a browser or phone would check', async () => {
    const ca = await run('openssl', ['x509', '-in', file('ca.pem'), '-noout', '-text']);
    expect(ca.stdout).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(ca.stdout).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(ca.stdout).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(ca.stdout).toMatch(/X509v3 Name Constraints: critical\s+Permitted:/);
    expect(ca.stdout).toMatch(
      /DNS:localhost\s+DNS:mailbox\s+DNS:local\s+DNS:lan\s+DNS:home.arpa\s+IP:127.0.0.0\/255.0.0.0/,
    );
    expect(ca.stdout).toContain('IP:FC00:0:0:0:0:0:0:0/FE00:0:0:0:0:0:0:0');
    const leaf = await run('openssl', ['x509', '-in', file('server.pem'), '-noout', '-text']);
    expect(leaf.stdout).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(leaf.stdout).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(leaf.stdout).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(leaf.stdout).toMatch(/X509v3 Authority Key Identifier:/);
    expect(leaf.stdout).toMatch(/Public-Key: \(2048 bit\)/);
  });
});

describe('name constraints, with the CA key in the wrong hands', () => {
  async function verifyRogue(names: RogueNames) {
    const [caPem, caKey] = await Promise.all([
      readFile(file('ca.pem'), 'utf8'),
      readFile(file('ca-key.pem'), 'utf8'),
    ]);
    const path = join(root, `rogue-${names.commonName}.pem`);
    await writeFile(path, signRogueLeaf(caPem, caKey, names));
    return verify(file('ca.pem'), path);
  }

  it('let a leaf for this machine’s names through (the test leaf is otherwise valid)', async () => {
    const result = await verifyRogue({
      commonName: 'imap.mailbox.local',
      dnsNames: ['imap.mailbox.local', 'localhost'],
      ipAddresses: ['10.1.2.3'],
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it.each<[string, RogueNames]>([
    ['a name under lan', { commonName: 'printer.lan', dnsNames: ['printer.lan'] }],
    ['a name under home.arpa', { commonName: 'nas.home.arpa', dnsNames: ['nas.home.arpa'] }],
    ['another .local name', { commonName: 'other.local', dnsNames: ['other.local'] }],
    [
      'link-local and unique-local addresses',
      { commonName: 'x', ipAddresses: ['169.254.1.1', 'fd00::1'] },
    ],
  ])('let a leaf for %s through (the permitted subtrees of the issue)', async (_, names) => {
    const result = await verifyRogue(names);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it.each<[string, RogueNames]>([
    ['a DNS name', { commonName: 'example.com', dnsNames: ['example.com'] }],
    ['www.example.com', { commonName: 'www.example.com', dnsNames: ['www.example.com'] }],
    ['a name ending in a permitted one', { commonName: 'evil-lan', dnsNames: ['evil-lan'] }],
    ['a permitted name as a label', { commonName: 'x', dnsNames: ['lan.example.com'] }],
    ['another host name', { commonName: 'otherbox', dnsNames: ['otherbox'] }],
    ['the CGNAT range', { commonName: 'x', ipAddresses: ['100.64.0.1'] }],
    ['a look-alike name', { commonName: 'evil-localhost', dnsNames: ['evil-localhost'] }],
    ['a public IPv4 address', { commonName: 'x', ipAddresses: ['8.8.8.8'] }],
    ['a public IPv6 address', { commonName: 'x', ipAddresses: ['2001:4860:4860::8888'] }],
    ['one bad name among good ones', { commonName: 'ok', dnsNames: ['localhost', 'example.org'] }],
    ['a subject common name alone', { commonName: 'example.com' }],
  ])('refuse a leaf for %s', async (_, names) => {
    const result = await verifyRogue(names);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/permitted subtree violation/);
  });
});

describe('re-issuing and repairing, as openssl sees it', () => {
  it('keeps the CA and changes the leaf when the LAN address changes', async () => {
    const oldCa = join(root, 'old-ca.pem');
    await copyFile(file('ca.pem'), oldCa);
    const caBefore = await fingerprint(file('ca.pem'));
    const leafBefore = await fingerprint(file('server.pem'));
    const result = await ensureCertificate(dir, { ...machine, addresses: ['10.20.30.40'] });
    expect(result.created).toBe('leaf');
    expect(await fingerprint(file('ca.pem'))).toBe(caBefore);
    expect(await fingerprint(file('server.pem'))).not.toBe(leafBefore);
    const check = await verify(oldCa, file('server.pem'), '-verify_ip', '10.20.30.40');
    expect(check.stdout.trim()).toBe(`${file('server.pem')}: OK`);
  });

  it('regenerates a corrupt server.pem that openssl could not read', async () => {
    await writeFile(file('server.pem'), 'this is not a certificate\n');
    expect((await verify(file('ca.pem'), file('server.pem'))).code).not.toBe(0);
    const result = await ensureCertificate(dir, machine);
    expect(result.created).toBe('leaf');
    const check = await verify(file('ca.pem'), file('server.pem'));
    expect(check.stdout.trim()).toBe(`${file('server.pem')}: OK`);
  });
});
