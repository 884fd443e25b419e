/**
 * Trusting the local CA on Linux, for real: certutil on the NSS databases of a temporary home,
 * the real update-ca-certificates on a throwaway system store. After install, each database
 * lists the CA with trust C,, and OpenSSL verifies server.pem against the rebuilt bundle;
 * uninstall takes away exactly that; a new CA takes the old one's place in the same stores.
 */
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureCertificate,
  installTrust,
  replaceAuthority,
  trustEnvironment,
  trustStatus,
  uninstallTrust,
  type TrustEnvironment,
} from '../../../src-main/core/certs/index.js';
import { readTrustRecord } from '../../../src-main/core/certs/trust/record.js';
import { runCommand } from '../../../src-main/core/certs/trust/run.js';
import { run } from '../../helpers/run.js';
import { writeOldAuthority } from '../../unit/certs/old-authority.js';
import { listNss, makeSandbox, type Sandbox } from './trust-sandbox.js';

const machine = { hostName: 'mailbox', addresses: ['192.168.1.20'] };
let box: Sandbox;
let env: TrustEnvironment;
let certsDir: string;

beforeEach(async () => {
  box = await makeSandbox();
  env = await trustEnvironment({ home: box.home, linuxSystem: box.system, privileged: true });
  certsDir = join(box.root, 'data', 'certs');
  await ensureCertificate(certsDir, machine);
});

afterEach(async () => {
  await rm(box.root, { recursive: true, force: true });
});

const databases = () => [box.nssdb, box.firefox, box.snapFirefox, box.thunderbird];
const caSha256 = async () =>
  (
    await run('openssl', [
      'x509',
      '-in',
      join(certsDir, 'ca.pem'),
      '-noout',
      '-fingerprint',
      '-sha256',
    ])
  ).stdout
    .trim()
    .replace(/^.*=/, '');

/** The nickname certutil lists for Mailport's CA in `db`, with its trust, if any. */
async function mailportEntries(db: string): Promise<[string, string][]> {
  return [...(await listNss(db))].filter(([nick]) => nick.startsWith('Mailport local CA'));
}

function verifyWithBundle(bundle: string) {
  return run('openssl', ['verify', '-CAfile', bundle, join(certsDir, 'server.pem')]);
}

describe('installTrust on Linux', () => {
  it('adds the CA to every NSS database with trust C,, and to the system store', async () => {
    const results = await installTrust(certsDir, { system: true, env });
    expect(results.map((r) => [r.store, r.ok])).toEqual([
      ['Chrome and Chromium (shared NSS database)', true],
      ['Firefox profile default-release', true],
      ['Firefox (snap) profile default', true],
      ['Thunderbird profile default-release', true],
      ['System (update-ca-certificates)', true],
    ]);
    expect(results[0]!.message).toMatch(
      /^Added Mailport's local CA \(Mailport local CA \(mailbox\) [0-9a-f]{8}\)\.$/,
    );
    const sha = (await caSha256()).replaceAll(':', '').toLowerCase();
    const nickname = `Mailport local CA (mailbox) ${sha.slice(0, 8)}`;
    for (const db of databases()) {
      const shown = await run('certutil', ['-L', '-d', `sql:${db}`, '-n', nickname]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('Subject: "CN=Mailport local CA (mailbox)');
      expect(await mailportEntries(db)).toEqual([[nickname, 'C,,']]);
    }
    // The certificate that was there before stays, with its trust.
    expect((await listNss(box.nssdb)).get(box.unrelatedNickname)).toBe('C,,');

    const anchors = await readdir(box.system.anchorsDir);
    expect(anchors).toEqual([`mailport-mailbox-${sha.slice(0, 16)}.crt`]);
    const check = await verifyWithBundle(box.bundle);
    expect(check.stdout.trim()).toBe(`${join(certsDir, 'server.pem')}: OK`);
    expect(check.code).toBe(0);

    const record = await readTrustRecord(certsDir);
    expect(record.map((e) => [e.kind, e.location, e.caSha256])).toEqual([
      ['nss', box.nssdb, sha],
      ['nss', box.firefox, sha],
      ['nss', box.snapFirefox, sha],
      ['nss', box.thunderbird, sha],
      ['linux-system', box.system.anchorsDir, sha],
    ]);
  });

  it('reports every store as trusting the CA, and a second install changes nothing', async () => {
    const before = await trustStatus(certsDir, env);
    expect(before.map((s) => s.trusted)).toEqual([false, false, false, false, false]);
    await installTrust(certsDir, { system: true, env });
    const after = await trustStatus(certsDir, env);
    expect(after.map((s) => [s.store, s.location, s.trusted])).toEqual([
      ['Chrome and Chromium (shared NSS database)', box.nssdb, true],
      ['Firefox profile default-release', box.firefox, true],
      ['Firefox (snap) profile default', box.snapFirefox, true],
      ['Thunderbird profile default-release', box.thunderbird, true],
      ['System (update-ca-certificates)', box.system.anchorsDir, true],
    ]);
    const again = await installTrust(certsDir, { system: true, env });
    expect(again.every((r) => r.ok && r.message.startsWith('Already trusts'))).toBe(true);
    expect(await readTrustRecord(certsDir)).toHaveLength(5);
    for (const db of databases()) expect(await mailportEntries(db)).toHaveLength(1);
  });

  it('leaves the system store alone unless asked', async () => {
    const results = await installTrust(certsDir, { env });
    expect(results).toHaveLength(4);
    expect(await readdir(box.system.anchorsDir).catch(() => [])).toEqual([]);
  });

  it('creates ~/.pki/nssdb when it is missing, as Chromium would', async () => {
    await rm(join(box.home, '.pki'), { recursive: true });
    const [shared] = await installTrust(certsDir, { env });
    expect(shared).toMatchObject({ location: box.nssdb, ok: true });
    expect(await mailportEntries(box.nssdb)).toHaveLength(1);
    // Created without a password, so Chromium opens it without asking.
    const keys = await run('certutil', ['-K', '-d', `sql:${box.nssdb}`], { input: '' });
    expect(keys.stderr).not.toMatch(/password/i);
  });

  it('says what to install when certutil is missing, and still does the system store', async () => {
    const noCertutil: TrustEnvironment = {
      ...env,
      run: (argv) =>
        argv[0] === 'certutil'
          ? runCommand(['/nonexistent/bin/certutil', ...argv.slice(1)])
          : runCommand(argv),
    };
    const results = await installTrust(certsDir, { system: true, env: noCertutil });
    for (const result of results.slice(0, 4)) {
      expect(result).toMatchObject({
        ok: false,
        message:
          'certutil is not installed: install libnss3-tools (Debian, Ubuntu) or nss-tools (Fedora, Arch), then try again.',
      });
    }
    expect(results[4]).toMatchObject({ store: 'System (update-ca-certificates)', ok: true });
    expect((await readTrustRecord(certsDir)).map((e) => e.kind)).toEqual(['linux-system']);
  });

  it('says to start Firefox first when a profile has no database yet', async () => {
    await rm(join(box.firefox, 'cert9.db'));
    await rm(join(box.firefox, 'key4.db'));
    const results = await installTrust(certsDir, { env });
    expect(results[1]).toEqual({
      store: 'Firefox profile default-release',
      location: box.firefox,
      ok: false,
      message:
        'Firefox profile default-release has no certificate database yet: start Firefox once with this profile, then try again.',
    });
  });
});

describe('uninstallTrust', () => {
  it('removes exactly what install added: user stores first, the system store when asked', async () => {
    await installTrust(certsDir, { system: true, env });
    const users = await uninstallTrust(certsDir, { env });
    expect(users.map((r) => [r.store, r.ok])).toEqual([
      ['Chrome and Chromium (shared NSS database)', true],
      ['Firefox profile default-release', true],
      ['Firefox (snap) profile default', true],
      ['Thunderbird profile default-release', true],
    ]);
    expect(users[0]!.message).toMatch(/^Removed Mailport's local CA/);
    for (const db of databases()) expect(await mailportEntries(db)).toEqual([]);
    expect((await listNss(box.nssdb)).get(box.unrelatedNickname)).toBe('C,,');
    expect((await verifyWithBundle(box.bundle)).code).toBe(0);

    const system = await uninstallTrust(certsDir, { system: true, env });
    expect(system.map((r) => [r.store, r.ok])).toEqual([['System (update-ca-certificates)', true]]);
    expect(await readdir(box.system.anchorsDir)).toEqual([]);
    const check = await verifyWithBundle(box.bundle);
    expect(check.code).not.toBe(0);
    expect(check.stderr).toMatch(/unable to get local issuer certificate/);
    expect(await readFile(box.bundle, 'utf8')).toMatch(/BEGIN CERTIFICATE/); // the other one
    expect(await readTrustRecord(certsDir)).toEqual([]);
    expect(await uninstallTrust(certsDir, { system: true, env })).toEqual([]);
  });

  it('leaves a copy of the CA that the user imported in Firefox under another name', async () => {
    await run('certutil', [
      '-A',
      '-d',
      `sql:${box.firefox}`,
      '-n',
      'Mailport local CA (mailbox) - Mailport',
      '-t',
      'C,,',
      '-i',
      join(certsDir, 'ca.pem'),
    ]);
    // NSS keeps one nickname per certificate: Firefox's copy is the user's, not Mailport's.
    const results = await installTrust(certsDir, { env });
    expect(results[1]).toMatchObject({ ok: true });
    await uninstallTrust(certsDir, { env });
    expect([...(await listNss(box.firefox)).values()]).toEqual(['C,,']);
  });
});

describe('a new local CA', () => {
  it('replaces the old one in every store that trusted it', async () => {
    await installTrust(certsDir, { system: true, env });
    const oldSha = (await caSha256()).replaceAll(':', '').toLowerCase();
    const replaced = await replaceAuthority(certsDir, machine, { trust: env });
    const newSha = (await caSha256()).replaceAll(':', '').toLowerCase();
    expect(newSha).not.toBe(oldSha);
    expect(replaced.trust?.map((r) => [r.store, r.ok])).toEqual([
      ['Chrome and Chromium (shared NSS database)', true],
      ['Firefox profile default-release', true],
      ['Firefox (snap) profile default', true],
      ['Thunderbird profile default-release', true],
      ['System (update-ca-certificates)', true],
    ]);
    expect(replaced.trust?.[0]?.message).toMatch(/It replaces the previous local CA/);
    for (const db of databases()) {
      expect(await mailportEntries(db)).toEqual([
        [`Mailport local CA (mailbox) ${newSha.slice(0, 8)}`, 'C,,'],
      ]);
    }
    expect(await readdir(box.system.anchorsDir)).toEqual([
      `mailport-mailbox-${newSha.slice(0, 16)}.crt`,
    ]);
    expect((await verifyWithBundle(box.bundle)).code).toBe(0);
    const bundle = await readFile(box.bundle, 'utf8');
    // The new CA and the other authority of the store; the old CA is gone.
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect((await readTrustRecord(certsDir)).every((e) => e.caSha256 === newSha)).toBe(true);
  });

  it('replaces a CA of an earlier version, with its trust entries', async () => {
    await rm(certsDir, { recursive: true });
    await writeOldAuthority(certsDir, ['mailbox', 'mailbox.local', 'localhost']);
    await installTrust(certsDir, { env });
    const [oldNick] = (await mailportEntries(box.firefox))[0]!;
    const result = await ensureCertificate(certsDir, machine, { trust: env });
    expect(result.created).toBe('ca-and-leaf');
    expect(result.trust?.every((r) => r.ok)).toBe(true);
    for (const db of databases()) {
      const entries = await mailportEntries(db);
      expect(entries).toHaveLength(1);
      expect(entries[0]![0]).not.toBe(oldNick);
    }
    // The system store was not in the record, so it is still left alone.
    expect(await readdir(box.system.anchorsDir).catch(() => [])).toEqual([]);
  });
});
