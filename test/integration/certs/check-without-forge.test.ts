/**
 * The certificate check that runs after each start and every ten minutes reads certificates
 * with node:crypto and a small DER reader, and leaves node-forge (30–60 ms and a few MiB to
 * load) to the moments a certificate is made (issue 16). What it must still read: every name
 * form a user's own certificate carries, the local CA's name constraints, and keys forge
 * cannot read (elliptic curves). The certificates here are made by openssl.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectIdentifier, readElement, readWhole, TAG } from '../../../src-main/core/certs/der.js';
import { ensureCertificate } from '../../../src-main/core/certs/ensure.js';
import { parseCertificate } from '../../../src-main/core/certs/inspect.js';
import { openssl } from './tools.js';

const BUILT_ENSURE = resolve(import.meta.dirname, '../../../dist/main/core/certs/ensure.js');
const machine = { hostName: 'mailbox', addresses: ['192.168.1.20'] };
let root: string;

/** A self-signed certificate made by openssl with the `-addext` extensions given. */
async function selfSigned(name: string, key: string[], extensions: string[]): Promise<string> {
  openssl(root, [
    'req',
    '-x509',
    '-newkey',
    ...key,
    '-nodes',
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.pem`,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
  return readFile(join(root, `${name}.pem`), 'utf8');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-check-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('reading a certificate without node-forge', () => {
  it('reads the DNS names (in lower case) and addresses, of an EC certificate too', async () => {
    const pem = await selfSigned(
      'ec',
      ['ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
      [
        'subjectAltName=DNS:Mail.Example.Test,email:me@example.test,IP:192.168.1.20,' +
          'URI:https://example.test/,IP:fd00::20,DNS:*.example.test',
      ],
    );
    const parsed = parseCertificate(pem);
    expect(parsed?.dnsNames).toEqual(['mail.example.test', '*.example.test']);
    expect(parsed?.ipAddresses).toEqual(['192.168.1.20', 'fd00::20']);
    expect(parsed?.constraints).toBeUndefined();
  });

  it('reads the permitted subtrees of a name-constrained CA, and refuses other forms', async () => {
    const ca = await selfSigned(
      'constrained',
      ['rsa:2048'],
      [
        'basicConstraints=critical,CA:TRUE',
        'nameConstraints=critical,permitted;DNS:Local,permitted;IP:192.168.0.0/255.255.0.0,' +
          'permitted;IP:fe80::/ffc0::',
      ],
    );
    const constraints = parseCertificate(ca)?.constraints;
    expect(constraints?.dnsNames).toEqual(['local']);
    expect(constraints?.ranges.map((r) => r.text)).toEqual(['192.168.0.0/16', 'fe80::/10']);
    const excluding = await selfSigned(
      'excluding',
      ['rsa:2048'],
      [
        'basicConstraints=critical,CA:TRUE',
        'nameConstraints=critical,permitted;DNS:local,excluded;DNS:evil.local',
      ],
    );
    const parsed = parseCertificate(excluding);
    expect(parsed).toBeDefined();
    expect(parsed?.constraints).toBeUndefined();
  });

  it('reads a certificate whose names it cannot read as naming nothing, not as damaged', async () => {
    // The subjectAltName value declares five octets and holds three; OpenSSL reads the rest.
    const pem = await selfSigned(
      'cut-short',
      ['ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
      ['2.5.29.17=DER:3005820361'],
    );
    const parsed = parseCertificate(pem);
    expect(parsed?.x509.subject).toBe('CN=cut-short');
    expect(parsed?.dnsNames).toEqual([]);
    expect(parsed?.ipAddresses).toEqual([]);
  });

  it('refuses what DER does not allow', () => {
    // An indefinite length (BER only), a length in a longer form than needed, one cut short.
    expect(() => readElement(Buffer.from([0x30, 0x80, 0x00, 0x00]))).toThrow();
    expect(() => readElement(Buffer.from([0x04, 0x81, 0x01, 0x41]))).toThrow();
    expect(() => readElement(Buffer.from([0x04, 0x05, 0x41]))).toThrow();
    expect(readElement(Buffer.from([0x04, 0x01, 0x41])).contents).toEqual(Buffer.from('A'));
    // An extension's value is one element, nothing after it (as node-forge required).
    expect(() => readWhole(Buffer.from([0x30, 0x00, 0x00]), TAG.sequence)).toThrow();
    expect(() => readWhole(Buffer.from([0x04, 0x00]), TAG.sequence)).toThrow();
    // X.690 §8.19.2: a subidentifier in more octets than it needs.
    expect(objectIdentifier(Buffer.from([0x55, 0x1d, 0x11]))).toBe('2.5.29.17');
    expect(() => objectIdentifier(Buffer.from([0x55, 0x80, 0x1d]))).toThrow();
  });

  it('never throws on a damaged certificate', async () => {
    const pem = await readFile(join(root, 'ec.pem'), 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    for (let at = 0; at < der.length; at += 7) {
      const damaged = Buffer.from(der);
      damaged[at] = damaged[at]! ^ 0xff;
      const text = `-----BEGIN CERTIFICATE-----\n${damaged.toString('base64')}\n-----END CERTIFICATE-----\n`;
      expect(() => parseCertificate(text)).not.toThrow();
    }
  });
});

describe('the check of a sound certificate folder', () => {
  /** Runs ensureCertificate (the built module) in a process where importing forge fails. */
  async function checkWithoutForge(dir: string, names: typeof machine) {
    const hooks = join(root, 'no-forge-hooks.mjs');
    await writeFile(
      hooks,
      'export async function resolve(specifier, context, next) {\n' +
        "  if (/^node-forge(\\/|$)/.test(specifier)) throw new Error('node-forge was imported');\n" +
        '  return next(specifier, context);\n' +
        '}\n',
    );
    const register = join(root, 'register.mjs');
    await writeFile(
      register,
      "import { register } from 'node:module';\n" +
        `register(${JSON.stringify(new URL(`file://${hooks}`).href)});\n`,
    );
    const script =
      `const { ensureCertificate } = await import(${JSON.stringify(BUILT_ENSURE)});\n` +
      `const result = await ensureCertificate(${JSON.stringify(dir)}, ${JSON.stringify(names)});\n` +
      'console.log(result.created);\n';
    return spawnSync(
      process.execPath,
      ['--import', register, '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
  }

  it('reads it all without loading node-forge; making a certificate still loads it', async () => {
    const dir = join(root, 'certs');
    expect((await ensureCertificate(dir, machine)).created).toBe('ca-and-leaf');
    const checked = await checkWithoutForge(dir, machine);
    expect(checked.stderr).toBe('');
    expect(checked.stdout.trim()).toBe('none');
    // A new address needs a new leaf: that is when forge is loaded (and here refused).
    const moved = await checkWithoutForge(dir, { ...machine, addresses: ['192.168.1.21'] });
    expect(moved.stderr).toContain('node-forge was imported');
  });
});
