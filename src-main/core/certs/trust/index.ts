/**
 * Trusting the local CA on this computer, so that Mailport's own web pages and a mail client
 * here accept the server certificate: the user's NSS databases, the keychain or the Windows
 * store, and on request the system store. What was added is written to trust.json, so that
 * uninstalling removes exactly that and a new CA is put where the old one was.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Mutex } from '../../util/mutex.js';
import { certificateFiles } from '../store.js';
import { detectLinuxSystemStore } from './linux-system.js';
import { readTrustRecord, sameStore, writeTrustRecord, type TrustRecordEntry } from './record.js';
import { runCommand } from './run.js';
import { discoverStores, isUnavailable, storeOf } from './stores.js';
import {
  TrustError,
  type TrustEnvironment,
  type TrustStore,
  type TrustStoreEntry,
  type TrustStoreResult,
  type TrustedCa,
} from './types.js';

export type { TrustEnvironment, TrustStoreEntry, TrustStoreResult } from './types.js';

/** This computer and user, with any part replaced (tests use a temporary home and store). */
export async function trustEnvironment(
  overrides: Partial<TrustEnvironment> = {},
): Promise<TrustEnvironment> {
  const platform = overrides.platform ?? process.platform;
  return {
    platform,
    home: homedir(),
    linuxSystem:
      'linuxSystem' in overrides || platform !== 'linux'
        ? undefined
        : await detectLinuxSystemStore(),
    privileged: process.getuid?.() === 0,
    run: runCommand,
    ...overrides,
  };
}

/** The CA as the stores name it: nickname and file names carry the host and a fingerprint. */
export function trustedCa(pem: string, file: string): TrustedCa {
  const x509 = new X509Certificate(pem);
  const hex = (fingerprint: string) => fingerprint.replaceAll(':', '').toLowerCase();
  const sha256 = hex(x509.fingerprint256);
  const cn = /^CN=(.*)$/m.exec(x509.subject)?.[1] ?? '';
  const host = /\(([^)]+)\)$/.exec(cn)?.[1] ?? 'localhost';
  return {
    pem,
    host,
    sha256,
    sha1: hex(x509.fingerprint),
    nickname: `Mailport local CA (${host}) ${sha256.slice(0, 8)}`,
    file,
  };
}

const locks = new Map<string, Mutex>();

function locked<T>(certsDir: string, section: () => Promise<T>): Promise<T> {
  const key = resolve(certsDir);
  let mutex = locks.get(key);
  if (!mutex) locks.set(key, (mutex = new Mutex()));
  return mutex.run(section);
}

export interface TrustOptions {
  /** Also the system store (administrator rights; the user is asked for them). */
  readonly system?: boolean;
  readonly env?: TrustEnvironment;
}

/** Adds the local CA (certs/ca.pem) to the user's stores, and the system store if asked. */
export async function installTrust(
  certsDir: string,
  options: TrustOptions = {},
): Promise<TrustStoreResult[]> {
  const env = options.env ?? (await trustEnvironment());
  const ca = await currentCa(certsDir);
  return locked(certsDir, async () => {
    const results: TrustStoreResult[] = [];
    for (const store of await discoverStores(env, options.system ?? false)) {
      if (isUnavailable(store)) results.push({ ...store, ok: false, message: store.reason });
      else results.push(await installInto(certsDir, store, ca, env));
    }
    return results;
  });
}

/** Removes what installTrust added: user stores, and the system store if asked. */
export async function uninstallTrust(
  certsDir: string,
  options: TrustOptions = {},
): Promise<TrustStoreResult[]> {
  const env = options.env ?? (await trustEnvironment());
  return locked(certsDir, async () => {
    const results: TrustStoreResult[] = [];
    for (const entry of await readTrustRecord(certsDir)) {
      if (entry.system && !options.system) continue;
      const outcome = await attempt(entry, async () => {
        const removed = await removeEntry(entry, env);
        await forget(certsDir, entry);
        return removed
          ? `Removed Mailport's local CA (${entry.nickname}).`
          : "Mailport's local CA was no longer there.";
      });
      results.push(outcome);
    }
    return results;
  });
}

/**
 * After a new CA replaced the old one: in every store trust.json lists for another CA, the old
 * CA is removed and the new one added. Nothing happens when nothing was installed.
 */
export async function replaceTrust(
  certsDir: string,
  newCaPem: string,
  environment?: TrustEnvironment,
): Promise<TrustStoreResult[]> {
  const ca = trustedCa(newCaPem, certificateFiles(certsDir).caCert);
  const stale = (await readTrustRecord(certsDir)).filter((e) => e.caSha256 !== ca.sha256);
  if (stale.length === 0) return [];
  const env = environment ?? (await trustEnvironment());
  return locked(certsDir, async () => {
    const results: TrustStoreResult[] = [];
    const done: TrustRecordEntry[] = [];
    for (const entry of stale) {
      if (done.some((other) => sameStore(other, entry))) continue;
      done.push(entry);
      let store: TrustStore;
      try {
        store = storeOf(entry, env);
      } catch (err) {
        results.push(failure(entry, err));
        continue;
      }
      results.push(await installInto(certsDir, store, ca, env));
    }
    return results;
  });
}

/** Each store of this computer (system ones included) and whether it holds the local CA. */
export async function trustStatus(
  certsDir: string,
  environment?: TrustEnvironment,
): Promise<TrustStoreEntry[]> {
  const env = environment ?? (await trustEnvironment());
  let ca: TrustedCa;
  try {
    ca = await currentCa(certsDir);
  } catch {
    return [];
  }
  const entries: TrustStoreEntry[] = [];
  for (const store of await discoverStores(env, true)) {
    if (isUnavailable(store)) continue;
    const trusted = await store.holds(ca).catch(() => false);
    entries.push({ store: store.store, location: store.location, trusted });
  }
  return entries;
}

async function currentCa(certsDir: string): Promise<TrustedCa> {
  const file = certificateFiles(certsDir).caCert;
  const pem = await readFile(file, 'utf8').catch(() => undefined);
  try {
    if (pem !== undefined) return trustedCa(pem, file);
  } catch {
    // fall through: not a certificate
  }
  throw new TrustError(
    `There is no local certificate authority in ${certsDir} yet: run \`mailport cert status\` ` +
      'or start Mailport once to create it.',
  );
}

/** Into one store: first away with earlier CAs Mailport put there, then this one. */
async function installInto(
  certsDir: string,
  store: TrustStore,
  ca: TrustedCa,
  env: TrustEnvironment,
): Promise<TrustStoreResult> {
  return attempt(store, async () => {
    const notes: string[] = [];
    for (const old of await readTrustRecord(certsDir)) {
      if (!sameStore(old, store) || old.caSha256 === ca.sha256) continue;
      await removeEntry(old, env, store);
      await forget(certsDir, old);
      notes.push(` It replaces the previous local CA (${old.nickname}).`);
    }
    const recorded = (await readTrustRecord(certsDir)).some(
      (e) => sameStore(e, store) && e.caSha256 === ca.sha256,
    );
    if (await store.holds(ca)) {
      return recorded
        ? `Already trusts Mailport's local CA (${ca.nickname}).`
        : `Already trusts Mailport's local CA (${ca.nickname}), added some other way; ` +
            'uninstalling will leave it there.';
    }
    await store.add(ca);
    await remember(certsDir, store, ca);
    return `Added Mailport's local CA (${ca.nickname}).${notes.join('')}`;
  });
}

/** Removes an entry's CA if the store still holds it; whether it did. */
async function removeEntry(
  entry: TrustRecordEntry,
  env: TrustEnvironment,
  store: TrustStore = storeOf(entry, env),
): Promise<boolean> {
  return withPemFile(entry.caPem, async (file) => {
    const old = { ...trustedCa(entry.caPem, file), nickname: entry.nickname, host: entry.host };
    if (!(await store.holds(old))) return false;
    await store.remove(old);
    return true;
  });
}

async function remember(certsDir: string, store: TrustStore, ca: TrustedCa): Promise<void> {
  const entries = await readTrustRecord(certsDir);
  entries.push({
    kind: store.kind,
    store: store.store,
    location: store.location,
    system: store.system,
    nickname: ca.nickname,
    host: ca.host,
    caSha256: ca.sha256,
    caPem: ca.pem,
    addedAt: new Date().toISOString(),
  });
  await writeTrustRecord(certsDir, entries);
}

async function forget(certsDir: string, gone: TrustRecordEntry): Promise<void> {
  const entries = await readTrustRecord(certsDir);
  await writeTrustRecord(
    certsDir,
    entries.filter((e) => !(sameStore(e, gone) && e.caSha256 === gone.caSha256)),
  );
}

async function attempt(
  where: { store: string; location: string },
  action: () => Promise<string>,
): Promise<TrustStoreResult> {
  try {
    return { store: where.store, location: where.location, ok: true, message: await action() };
  } catch (err) {
    return failure(where, err);
  }
}

function failure(where: { store: string; location: string }, err: unknown): TrustStoreResult {
  const message =
    err instanceof TrustError
      ? err.message
      : `Could not change this store (${err instanceof Error ? err.message : String(err)}).`;
  return { store: where.store, location: where.location, ok: false, message };
}

async function withPemFile<T>(pem: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mailport-ca-'));
  try {
    const file = join(dir, 'ca.pem');
    await writeFile(file, pem, { mode: 0o600 });
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
