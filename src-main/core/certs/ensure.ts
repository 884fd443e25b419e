/**
 * Making sure the certs folder holds a usable local CA and server certificate: created on
 * first need, the leaf re-issued when this computer's names change, when it nears expiry or
 * when the CA changed; the CA kept unless it is unusable (phones would have to trust it anew).
 */
import { dirname, resolve } from 'node:path';
import { Mutex } from '../util/mutex.js';
import type { PemPair } from './ca.js';
import {
  authorityProblem,
  leafProblem,
  reusableLeafKey,
  type AuthorityOnDisk,
  type LeafOnDisk,
} from './checks.js';
import { certificateInfo, type CertificateInfo } from './info.js';
import { parseCertificate, parsePrivateKey, type ParsedCertificate } from './inspect.js';
import { CaKeyLockedError, readCaKey, type KeyVault } from './key-vault.js';
import { wantedNames } from './name-constraints.js';
import type { MachineNames, OmittedName } from './names.js';
import {
  certificateFiles,
  forgetImport,
  isImported,
  prepareFolder,
  readText,
  restrictKeyModes,
  writeAuthority,
  writeLeaf,
  type CertificateFiles,
} from './store.js';
import { replaceTrust } from './trust/index.js';
import type { TrustEnvironment, TrustStoreResult } from './trust/types.js';

export interface EnsureResult {
  info: CertificateInfo;
  created: 'none' | 'leaf' | 'ca-and-leaf';
  /** Why something was created, e.g. "the server certificate did not cover 192.168.1.20". */
  reason?: string;
  /** This computer's names that the certificate cannot carry, each with what to do instead. */
  omitted: OmittedName[];
  /** When a new CA replaced one that trust stores held: what happened in each store. */
  trust?: TrustStoreResult[];
  /** A new certificate was needed but the CA key is locked: the current one is still served. */
  blocked?: string;
}

export interface EnsureOptions {
  /** The time to check expiry against and to date new certificates from. */
  now?: Date;
  /** Called before each slow step, with a sentence for the user. */
  onProgress?: (step: string) => void;
  /** Where the trust stores are (tests use a temporary home and system store). */
  trust?: TrustEnvironment;
  /** The desktop app's keychain, which holds the CA key once sealed (key-vault.ts). */
  vault?: KeyVault;
}

interface Remake {
  readonly leaf?: string;
  readonly authority?: string;
}

/** One run at a time per folder, so two callers never write competing keys. */
const folderLocks = new Map<string, Mutex>();

function lockFor(certsDir: string): Mutex {
  const key = resolve(certsDir);
  let mutex = folderLocks.get(key);
  if (!mutex) folderLocks.set(key, (mutex = new Mutex()));
  return mutex;
}

export async function ensureCertificate(
  certsDir: string,
  names: MachineNames,
  options: EnsureOptions = {},
): Promise<EnsureResult> {
  return lockFor(certsDir).run(() => ensure(certsDir, names, options, {}));
}

/** A new server certificate from the same CA (phones keep trusting it). */
export async function renewCertificate(
  certsDir: string,
  names: MachineNames,
  options: EnsureOptions = {},
): Promise<EnsureResult> {
  const remake = { leaf: 'a new server certificate was asked for' };
  return lockFor(certsDir).run(() => ensure(certsDir, names, options, remake));
}

/**
 * A new CA and server certificate, e.g. after the computer was renamed or the CA key may have
 * leaked. Every phone must then install the new CA.
 */
export async function replaceAuthority(
  certsDir: string,
  names: MachineNames,
  options: EnsureOptions = {},
): Promise<EnsureResult> {
  const remake = { authority: 'a new local certificate authority was asked for' };
  return lockFor(certsDir).run(() => ensure(certsDir, names, options, remake));
}

/** The server certificate on disk, or undefined if there is none that can be read. */
export async function readCertificateInfo(certsDir: string): Promise<CertificateInfo | undefined> {
  const files = certificateFiles(certsDir);
  const leafText = await readText(files.cert);
  const leaf = leafText === undefined ? undefined : parseCertificate(leafText);
  if (!leaf) return undefined;
  const caText = await readText(files.caCert);
  return certificateInfo(leaf, caText === undefined ? undefined : parseCertificate(caText), files);
}

async function ensure(
  certsDir: string,
  machine: MachineNames,
  options: EnsureOptions,
  remake: Remake,
): Promise<EnsureResult> {
  const now = options.now ?? new Date();
  const progress = options.onProgress ?? (() => undefined);
  const files = certificateFiles(certsDir);
  await prepareFolder(certsDir);

  const ca = await ensureAuthority(files, machine, now, progress, remake.authority, options.vault);
  const caCert = mustParse(ca.certPem);
  const wanted = wantedNames(machine, caCert.constraints ?? { dnsNames: [], ranges: [] });
  const leaf = await readLeaf(files);
  if (remake.leaf !== undefined) await forgetImport(certsDir);
  else if (leaf.cert && (await isImported(certsDir)) && new Date(leaf.cert.x509.validTo) > now) {
    // The user's own certificate: never replaced by a locally issued one while it is valid.
    return { info: certificateInfo(leaf.cert, caCert, files), created: 'none', omitted: [] };
  }
  const leafReason = ca.reason ?? remake.leaf ?? leafProblem(leaf, caCert, wanted, now);
  let leafCert = leaf.cert;
  if (leafReason !== undefined && ca.keyPem === undefined) {
    // The key is in the desktop app's keychain: go on serving a certificate that still works.
    const usable = leaf.cert && remake.leaf === undefined && stillServable(leaf, caCert, now);
    if (!usable) throw new CaKeyLockedError();
    return {
      info: certificateInfo(leaf.cert!, caCert, files),
      created: 'none',
      omitted: wanted.omitted,
      blocked: `${leafReason}. ${new CaKeyLockedError().message}`,
    };
  }
  if (leafReason !== undefined) {
    const names = [...wanted.dnsNames, ...wanted.ipAddresses].join(', ');
    progress(`Creating the server certificate for ${names}`);
    // A new CA means a new key too (the old one may be why the CA was replaced).
    const keepKey = ca.reason === undefined ? reusableLeafKey(leaf, caCert) : undefined;
    const pair = { certPem: ca.certPem, keyPem: ca.keyPem! };
    // Loaded only to make one: node-forge (see der.ts) is not needed to check one.
    const { issueLeaf } = await import('./leaf.js');
    const issued = await issueLeaf(pair, wanted, now, keepKey);
    await writeLeaf(files, issued, ca.certPem);
    leafCert = mustParse(issued.certPem);
  }
  await restrictKeyModes(files);

  const result: EnsureResult = {
    info: certificateInfo(leafCert ?? mustParse(leaf.chainPem ?? ''), caCert, files),
    created: ca.reason !== undefined ? 'ca-and-leaf' : leafReason !== undefined ? 'leaf' : 'none',
    omitted: wanted.omitted,
  };
  if (leafReason !== undefined) result.reason = leafReason;
  if (ca.reason !== undefined) {
    // The stores that trusted the old CA now get the new one (trust.json says which).
    const trust = await replaceTrust(certsDir, ca.certPem, options.trust);
    if (trust.length > 0) result.trust = trust;
  }
  return result;
}

/**
 * Whether `renewCertificate` would give the server a new key: when the leaf on disk is not one
 * the current local CA signed with a sound key (an imported certificate, a damaged key, a CA
 * that must be replaced), and not otherwise.
 */
export async function renewReplacesKey(certsDir: string, now = new Date()): Promise<boolean> {
  const files = certificateFiles(certsDir);
  const ca = await readAuthority(files, undefined);
  if (authorityProblem(ca, now) !== undefined || !ca.cert) return true;
  if (await isImported(certsDir)) return true;
  return reusableLeafKey(await readLeaf(files), ca.cert) === undefined;
}

/**
 * The CA on disk if it is usable, else a new one (with the reason it was made). `keyPem` is
 * undefined when the CA is sound but its key is sealed and this process has no vault.
 */
async function ensureAuthority(
  files: CertificateFiles,
  machine: MachineNames,
  now: Date,
  progress: (step: string) => void,
  asked: string | undefined,
  vault: KeyVault | undefined,
): Promise<{ certPem: string; keyPem?: string; reason?: string }> {
  const onDisk = await readAuthority(files, vault);
  const reason = asked ?? authorityProblem(onDisk, now);
  if (reason === undefined && onDisk.cert && (onDisk.keyPem !== undefined || onDisk.locked)) {
    return {
      certPem: onDisk.cert.pem,
      ...(onDisk.keyPem !== undefined && { keyPem: onDisk.keyPem }),
    };
  }
  progress('Creating the local certificate authority');
  const { createAuthority } = await import('./ca.js');
  const pair: PemPair = await createAuthority(machine, now);
  await writeAuthority(files, pair, vault);
  return { ...pair, reason: reason ?? 'the local certificate authority could not be used' };
}

interface AuthorityFiles extends AuthorityOnDisk {
  readonly keyPem: string | undefined;
}

async function readAuthority(
  files: CertificateFiles,
  vault: KeyVault | undefined,
): Promise<AuthorityFiles> {
  const certText = await readText(files.caCert);
  let keyPem: string | undefined;
  let locked = false;
  try {
    keyPem = await readCaKey(dirname(files.caKey), vault);
  } catch (err) {
    if (!(err instanceof CaKeyLockedError)) throw err;
    locked = true;
  }
  return {
    cert: certText === undefined ? undefined : parseCertificate(certText),
    certMissing: certText === undefined,
    key: parsePrivateKey(keyPem),
    keyPem,
    locked,
  };
}

/** A leaf that is whole, signed by this CA and not expired: servable while the key is locked. */
function stillServable(leaf: LeafOnDisk, caCert: ParsedCertificate, now: Date): boolean {
  const problem = leafProblem(leaf, caCert, { dnsNames: [], ipAddresses: [], omitted: [] }, now);
  return problem === undefined || /^the server certificate (expires|will expire)/.test(problem);
}

/** A certificate this module has just checked or made; failing to read it is a bug. */
function mustParse(pem: string): ParsedCertificate {
  const parsed = parseCertificate(pem);
  if (!parsed) throw new Error('Mailport could not read back a certificate it had just checked');
  return parsed;
}

async function readLeaf(files: CertificateFiles): Promise<LeafOnDisk> {
  const chainPem = await readText(files.cert);
  return {
    chainPem,
    cert: chainPem === undefined ? undefined : parseCertificate(chainPem),
    key: parsePrivateKey(await readText(files.key)),
  };
}
