/**
 * Issue 16: `mailport serve` binds with the certificate it finds on disk (read with node:crypto)
 * and runs the full check (names, CA) after binding. What a phone must still get:
 * a certificate due for renewal is replaced before anyone connects, and one that lacks this
 * computer's names is replaced on the running listeners without a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { importCertificate } from '../../../src-main/core/certs/import.js';
import { issueLeaf, LEAF_VALIDITY_DAYS } from '../../../src-main/core/certs/leaf.js';
import { FIRST_CERTIFICATE_CHECK_MS } from '../../../src-main/core/certs/schedule.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';
import { openssl } from './tools.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const running: RunningMailport[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const m of running.splice(0)) await m.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The certificate the implicit-TLS IMAP port presents now. */
function servedCertificate(port: number): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

/** A Mailport that ran once (so its CA and certificate exist), stopped. */
async function stoppedMailport() {
  const maildir = await mkdtemp(join(tmpdir(), 'mailport-start-cert-'));
  dirs.push(maildir);
  const setup = await setUpMailport(maildir);
  dirs.push(setup.dataDir);
  await (await runMailport(setup)).stop();
  return setup;
}

/** Replaces the server certificate with one from the same CA, for `names`, issued at `now`. */
async function plantLeaf(
  certsDir: string,
  names: { dnsNames: string[]; ipAddresses: string[] },
  now: Date,
): Promise<string> {
  const ca = {
    certPem: await readFile(join(certsDir, 'ca.pem'), 'utf8'),
    keyPem: await readFile(join(certsDir, 'ca-key.pem'), 'utf8'),
  };
  const leaf = await issueLeaf(ca, names, now);
  await writeFile(join(certsDir, 'server-key.pem'), leaf.keyPem, { mode: 0o600 });
  await writeFile(join(certsDir, 'server.pem'), `${leaf.certPem.trim()}\n${ca.certPem}`);
  return leaf.certPem;
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

describe('the certificate a restarted mailport serve presents', () => {
  it('is renewed before the listeners bind when the one on disk expires within 30 days', async () => {
    const setup = await stoppedMailport();
    const certsDir = join(setup.dataDir, 'certs');
    const issued = new Date(Date.now() - (LEAF_VALIDITY_DAYS - 10) * DAY_MS);
    const planted = await plantLeaf(
      certsDir,
      { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
      issued,
    );
    const m = await runMailport(setup);
    running.push(m);
    const first = await servedCertificate(m.ports.imaps);
    expect(first.fingerprint256).not.toBe(fingerprint(planted));
    expect(new Date(first.valid_to).getTime()).toBeGreaterThan(Date.now() + 300 * DAY_MS);
  }, 60_000);

  it("is re-issued on the running listeners when it lacks this computer's names", async () => {
    const setup = await stoppedMailport();
    const certsDir = join(setup.dataDir, 'certs');
    const planted = await plantLeaf(
      certsDir,
      { dnsNames: ['localhost'], ipAddresses: [] },
      new Date(),
    );
    const m = await runMailport(setup);
    running.push(m);
    let served = await servedCertificate(m.ports.imaps);
    for (let i = 0; i < 40 && served.fingerprint256 === fingerprint(planted); i++) {
      await sleep(250);
      served = await servedCertificate(m.ports.imaps);
    }
    expect(served.fingerprint256).not.toBe(fingerprint(planted));
    expect(served.subjectaltname).toContain('IP Address:127.0.0.1');
    const onDisk = await readFile(join(certsDir, 'server.pem'), 'utf8');
    expect(fingerprint(onDisk)).toBe(served.fingerprint256);
  }, 60_000);

  it('is still the imported one with an elliptic-curve key after the check that follows the start', async () => {
    // The check used to read certificates with node-forge, which cannot read an EC key: the
    // user's certificate read as "missing or damaged" and was replaced by the local CA's.
    const setup = await stoppedMailport();
    const certsDir = join(setup.dataDir, 'certs');
    const made = join(setup.dataDir, 'own');
    await mkdir(made);
    openssl(made, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(made, 'key.pem'),
      '-out',
      join(made, 'cert.pem'),
      '-days',
      '400',
      '-subj',
      '/CN=mail.example.test',
      '-addext',
      'subjectAltName=DNS:Mail.Example.Test,DNS:localhost,IP:127.0.0.1,IP:fd00::20,email:me@example.test',
    ]);
    const own = await readFile(join(made, 'cert.pem'), 'utf8');
    const key = await readFile(join(made, 'key.pem'), 'utf8');
    await importCertificate(certsDir, { kind: 'pem', cert: own, key });
    const m = await runMailport(setup);
    running.push(m);
    const until = Date.now() + FIRST_CERTIFICATE_CHECK_MS + 2_000;
    while (Date.now() < until) {
      expect((await servedCertificate(m.ports.imaps)).fingerprint256).toBe(fingerprint(own));
      await sleep(250);
    }
    expect(fingerprint(await readFile(join(certsDir, 'server.pem'), 'utf8'))).toBe(
      fingerprint(own),
    );
    expect(m.output()).not.toContain('certificate issued');
  }, 60_000);
});
