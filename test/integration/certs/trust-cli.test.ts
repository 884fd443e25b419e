/**
 * Trust as a user reaches it: `mailport cert install|uninstall|status`, and the ControlApi of a
 * running `mailport serve` over its loopback HTTP admin. Both run as child processes with HOME
 * set to a sandbox, so the NSS databases they change are the sandbox's; the system store is
 * never asked for here (that would be this machine's real one: see trust.test.ts for it).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataPaths } from '../../../src-main/core/config/paths.js';
import type { CertificateDetails, TrustStoreResult } from '../../../src-main/core/control/api.js';
import { freePort } from '../../helpers/ports.js';
import { run } from '../../helpers/run.js';
import { CLI, runMailport, setUpMailport } from '../../helpers/serve.js';
import { listNss, makeSandbox, type Sandbox } from './trust-sandbox.js';

let box: Sandbox;
let dataDir: string;

beforeEach(async () => {
  box = await makeSandbox();
  dataDir = await mkdtemp(join(tmpdir(), 'mailport-data-'));
});

afterEach(async () => {
  await rm(box.root, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

const mailport = (args: string[]) =>
  run(process.execPath, [CLI, ...args], {
    env: { ...process.env, MAILPORT_DATA_DIR: dataDir, HOME: box.home },
  });

const userDatabases = () => [box.nssdb, box.firefox, box.snapFirefox, box.thunderbird];

async function mailportNicknames(db: string): Promise<string[]> {
  return [...(await listNss(db))]
    .filter(([nick]) => nick.startsWith('Mailport local CA'))
    .map(([nick, trust]) => `${nick} ${trust}`);
}

describe('mailport cert install / uninstall / status', () => {
  it('installs into the user stores, lists them in status, and uninstalls exactly those', async () => {
    const installed = await mailport(['cert', 'install']);
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain('Trusting the local CA:');
    expect(installed.stdout).toMatch(
      /ok {6}Firefox profile default-release \(.*abcd1234\.default-release\)\n {10}Added Mailport's local CA \(Mailport local CA \(\S+\) [0-9a-f]{8}\)\./,
    );
    for (const db of userDatabases()) {
      expect(await mailportNicknames(db)).toEqual([expect.stringMatching(/ C,,$/)]);
    }

    const status = await mailport(['cert', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      `Trusted by:   Chrome and Chromium (shared NSS database) (${box.nssdb})`,
    );
    expect(status.stdout).toContain(`Thunderbird profile default-release (${box.thunderbird})`);

    const removed = await mailport(['cert', 'uninstall']);
    expect(removed.code).toBe(0);
    expect(removed.stdout.match(/Removed Mailport's local CA/g)).toHaveLength(4);
    for (const db of userDatabases()) expect(await mailportNicknames(db)).toEqual([]);
    expect((await listNss(box.nssdb)).get(box.unrelatedNickname)).toBe('C,,');

    const again = await mailport(['cert', 'uninstall']);
    expect(again.stdout).toBe(
      'Mailport had not added its local CA to any of your trust stores (add --system for the system store).\n',
    );
    expect((await mailport(['cert', 'status'])).stdout).toContain(
      'Trusted by:   no trust store of this computer (`mailport cert install` adds it)',
    );
  });

  it('exits 1 and says why when a store fails', async () => {
    await rm(join(box.firefox, 'cert9.db'));
    const installed = await mailport(['cert', 'install']);
    expect(installed.code).toBe(1);
    expect(installed.stdout).toContain(
      'FAILED  Firefox profile default-release (' +
        box.firefox +
        ')\n' +
        '          Firefox profile default-release has no certificate database yet: start Firefox once with this profile, then try again.',
    );
  });

  it('refuses --system on other actions', async () => {
    const wrong = await mailport(['cert', 'status', '--system']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--system goes with cert install or cert uninstall/);
  });
});

describe('ControlApi of a running mailport serve', () => {
  it('installs into the sandboxed home, reports the stores, and uninstalls', async () => {
    const adminPort = await freePort();
    const setup = await setUpMailport(join(box.root, 'Maildir'), undefined, (s) => {
      s.admin.port = adminPort;
    });
    await rm(dataDir, { recursive: true, force: true });
    dataDir = setup.dataDir;
    const server = await runMailport(setup, { HOME: box.home });
    try {
      const token = (await readFile(dataPaths(setup.dataDir).adminToken, 'utf8')).trim();
      const call = async <T>(method: string, args: object = {}): Promise<T> => {
        const response = await fetch(`http://127.0.0.1:${adminPort}/api/${method}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(args),
        });
        expect(response.status, await response.clone().text()).toBe(200);
        return (await response.json()) as T;
      };

      const before = await call<CertificateDetails>('getCertificate');
      expect(before.trustStores.filter((s) => s.trusted)).toEqual([]);
      expect(before.renewReplacesKey).toBe(false);

      const { results } = await call<{ results: TrustStoreResult[] }>('installTrust', {});
      expect(results.map((r) => [r.location, r.ok])).toEqual(
        userDatabases().map((db) => [db, true]),
      );
      for (const db of userDatabases()) {
        expect(await mailportNicknames(db)).toEqual([expect.stringMatching(/ C,,$/)]);
      }
      const after = await call<CertificateDetails>('getCertificate');
      expect(after.trustStores.filter((s) => s.trusted).map((s) => s.location)).toEqual(
        userDatabases(),
      );

      const renewed = await call<CertificateDetails>('renewCertificate');
      expect(renewed.fingerprintSha256).not.toBe(before.fingerprintSha256);
      expect(renewed.trustStores.filter((s) => s.trusted)).toHaveLength(4);

      const removed = await call<{ results: TrustStoreResult[] }>('uninstallTrust', {});
      expect(removed.results.every((r) => r.ok && /^Removed/.test(r.message))).toBe(true);
      for (const db of userDatabases()) expect(await mailportNicknames(db)).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
