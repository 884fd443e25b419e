/**
 * The certs folder: `ca.pem`, `ca-key.pem`, `server.pem` (leaf, then CA) and `server-key.pem`.
 * The folder is the user's alone (0700) and so are the keys (0600); every file is replaced
 * atomically, key before certificate, so an interrupted write leaves a pair that does not match,
 * which the next start notices and repairs.
 */
import { writeCaKey, type KeyVault } from './key-vault.js';
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { PemPair } from './ca.js';

/** Present when the server certificate is the user's own (`import.ts`). */
export const IMPORTED_MARKER = 'imported';

export const FOLDER_MODE = 0o700;
export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;

export interface CertificateFiles {
  readonly caCert: string;
  readonly caKey: string;
  readonly cert: string;
  readonly key: string;
}

/** The folder cannot be used; the message says which file and what to do. */
export class CertificateFolderError extends Error {
  override readonly name = 'CertificateFolderError';
}

export function certificateFiles(certsDir: string): CertificateFiles {
  return {
    caCert: join(certsDir, 'ca.pem'),
    caKey: join(certsDir, 'ca-key.pem'),
    cert: join(certsDir, 'server.pem'),
    key: join(certsDir, 'server-key.pem'),
  };
}

const posix = process.platform !== 'win32';

/** Creates the folder (0700), or takes an existing one back to 0700. */
export async function prepareFolder(certsDir: string): Promise<void> {
  try {
    await mkdir(certsDir, { recursive: true, mode: FOLDER_MODE });
    if (posix) await restrictMode(certsDir, FOLDER_MODE);
  } catch (err) {
    throw folderError(certsDir, 'create the certificate folder', err);
  }
}

/** Keys must be readable by the user alone, even if something widened them since. */
export async function restrictKeyModes(files: CertificateFiles): Promise<void> {
  if (!posix) return;
  for (const path of [files.caKey, files.key]) {
    try {
      await restrictMode(path, KEY_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw folderError(path, 'make the key private', err);
    }
  }
}

async function restrictMode(path: string, mode: number): Promise<void> {
  if (((await stat(path)).mode & 0o777) !== mode) await chmod(path, mode);
}

/** A file's text, or undefined when it is missing or cannot be read (it will be remade). */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The CA key goes into the vault when there is one (see key-vault.ts), else ca-key.pem. */
export async function writeAuthority(
  files: CertificateFiles,
  ca: PemPair,
  vault?: KeyVault,
): Promise<void> {
  await writeCaKey(dirname(files.caKey), ca.keyPem, vault);
  await write(files.caCert, ca.certPem, CERT_MODE);
}

/** `server.pem` holds the chain a TLS server sends: the leaf, then the CA. */
export async function writeLeaf(
  files: CertificateFiles,
  leaf: PemPair,
  caCertPem: string,
): Promise<void> {
  await write(files.key, leaf.keyPem, KEY_MODE);
  await write(files.cert, `${leaf.certPem.trim()}\n${caCertPem.trim()}\n`, CERT_MODE);
}

async function write(path: string, text: string, mode: number): Promise<void> {
  try {
    await writeFileAtomic(path, text, { mode });
  } catch (err) {
    throw folderError(path, 'write', err);
  }
}

function folderError(path: string, action: string, err: unknown): CertificateFolderError {
  const cause = err instanceof Error ? err.message : String(err);
  return new CertificateFolderError(
    `Could not ${action} ${path} (${cause}). Check that this folder belongs to the user ` +
      `running Mailport and that the disk is not full, or choose another data folder.`,
    { cause: err },
  );
}

/** The server certificate on disk is no longer the user's own (a renew replaces it). */
export async function forgetImport(certsDir: string): Promise<void> {
  await rm(join(certsDir, IMPORTED_MARKER), { force: true });
}

/** Whether the server certificate is one the user imported (never replaced automatically). */
export async function isImported(certsDir: string): Promise<boolean> {
  return readFile(join(certsDir, IMPORTED_MARKER)).then(
    () => true,
    () => false,
  );
}
