/**
 * Bringing your own certificate: what is refused outright (a key that does not match, a chain
 * that does not verify) and what is served with a warning and its fix (expiry soon, names the
 * phones use that it does not cover, a chain that stops short of a root). The certificates are
 * made by openssl, as a user's CA would make them.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateReport,
  ensureCertificate,
  importCertificate,
  renewCertificate,
  trustEnvironment,
} from '../../../src-main/core/certs/index.js';
import { openssl } from './tools.js';

const machine = { hostName: 'mailbox', addresses: ['192.168.1.20', '203.0.113.9'] };
let root: string;
let pem: { leaf: string; key: string; intermediate: string; root: string };

/** root CA → intermediate CA → leaf for mail.example.test valid `days` days. */
async function makeChain(days: number): Promise<void> {
  const ca = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
  await writeFile(join(root, 'ca.ext'), ca.join('\n'));
  await writeFile(
    join(root, 'leaf.ext'),
    'basicConstraints=CA:FALSE\nsubjectAltName=DNS:mail.example.test,DNS:*.example.test\n',
  );
  const req = (name: string, cn: string) =>
    openssl(root, [
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    ]);
  openssl(root, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'root-key.pem',
    '-out',
    'root.pem',
    '-subj',
    '/CN=Example Root',
    '-days',
    '365',
    '-addext',
    ca[0]!,
    '-addext',
    ca[1]!,
  ]);
  req('intermediate', 'Example Intermediate');
  openssl(root, [
    'x509',
    '-req',
    '-in',
    'intermediate.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root-key.pem',
    '-out',
    'intermediate.pem',
    '-days',
    '365',
    '-extfile',
    'ca.ext',
  ]);
  req('leaf', 'mail.example.test');
  openssl(root, [
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'intermediate.pem',
    '-CAkey',
    'intermediate-key.pem',
    '-out',
    'leaf.pem',
    '-days',
    String(days),
    '-extfile',
    'leaf.ext',
  ]);
  const read = (name: string) => readFile(join(root, name), 'utf8');
  pem = {
    leaf: await read('leaf.pem'),
    key: await read('leaf-key.pem'),
    intermediate: await read('intermediate.pem'),
    root: await read('root.pem'),
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-own-'));
  await makeChain(10);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('importing your own certificate', () => {
  it('refuses a chain in the wrong order, saying how to fix it', async () => {
    const dir = join(root, 'order');
    await expect(
      importCertificate(dir, { kind: 'pem', cert: pem.leaf + pem.root, key: pem.key }),
    ).rejects.toThrow(
      'The chain does not verify: certificate 2 (CN=Example Root) did not sign certificate 1 ' +
        '(CN=mail.example.test). Put your certificate first, then each intermediate in order, ' +
        'and leave out certificates that do not belong to it.',
    );
  });

  it('refuses a key of another certificate', async () => {
    await expect(
      importCertificate(join(root, 'key'), {
        kind: 'pem',
        cert: pem.leaf,
        key: await readFile(join(root, 'root-key.pem'), 'utf8'),
      }),
    ).rejects.toThrow('The private key does not belong to the certificate.');
  });

  it('serves a valid chain, and warns of expiry, names and a missing root, each with the fix', async () => {
    const dir = join(root, 'served');
    await ensureCertificate(dir, machine);
    await importCertificate(dir, { kind: 'pem', cert: pem.leaf + pem.intermediate, key: pem.key });
    const report = await certificateReport(dir, machine);
    expect(report.trustStores).toEqual([]);
    expect(report.renewReplacesKey).toBe(true);
    expect(report.warnings).toHaveLength(3);
    expect(report.warnings[0]).toMatch(
      /^Your certificate expires on \d{4}-\d\d-\d\d \(in (9|10) days\): phones will refuse it from then on\. Import a renewed certificate, or choose Renew to go back to Mailport's own certificate\.$/,
    );
    expect(report.warnings[1]).toBe(
      'Your certificate does not cover mailbox, mailbox.local, 192.168.1.20, 203.0.113.9, ' +
        'which phones may use to reach this computer: a phone connecting by one of those will ' +
        'refuse it. Connect phones by a name it covers (mail.example.test, *.example.test), or ' +
        'import a certificate that also names them.',
    );
    expect(report.warnings[2]).toMatch(
      /^The certificate chain ends with a certificate issued by "Example Root", which is not in the file and is not a well-known root: .* Import the full chain/,
    );
  });

  it('has no chain warning with the root included, and no name warning for names it covers', async () => {
    const dir = join(root, 'full');
    await importCertificate(dir, {
      kind: 'pem',
      cert: pem.leaf + pem.intermediate + pem.root,
      key: pem.key,
    });
    const covered = { hostName: 'box.example.test', addresses: [] };
    const report = await certificateReport(dir, covered);
    // box.example.test matches *.example.test; its .local name does not.
    expect(report.warnings.slice(1)).toEqual([
      expect.stringMatching(/^Your certificate does not cover box\.example\.test\.local, which/),
    ]);
  });

  it('goes back to the local CA on renew, and then warns only of what the CA cannot carry', async () => {
    const dir = join(root, 'served');
    await renewCertificate(dir, machine);
    // Trust stores are looked up in an empty home, never the real one.
    const env = await trustEnvironment({ home: join(root, 'home'), linuxSystem: undefined });
    const report = await certificateReport(dir, machine, { env });
    expect(report.trustStores).toEqual([
      {
        store: 'Chrome and Chromium (shared NSS database)',
        location: join(root, 'home', '.pki', 'nssdb'),
        trusted: false,
      },
    ]);
    expect(report.renewReplacesKey).toBe(false);
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /^203\.0\.113\.9 is not a private address, so the certificate leaves it out/,
      ),
    ]);
  });
});
