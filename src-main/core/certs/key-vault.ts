/**
 * The local CA's private key at rest. Headless, it is `ca-key.pem`, readable by the user alone.
 * The desktop app, where the OS keychain is available, seals it instead (Electron's
 * safeStorage: Keychain on macOS, DPAPI on Windows, libsecret/KWallet on Linux) into
 * `ca-key.sealed` and removes the plain file. Both modes read the same CA certificate and
 * serve the same leaf; only issuing a new leaf needs the key, and headless mode then says to
 * open the desktop app once (or to make a new CA).
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface KeyVault {
  /** What protects the key, for messages: "macOS Keychain", "GNOME Keyring". */
  readonly name: string;
  seal(pem: string): Buffer;
  open(sealed: Buffer): string;
}

export const PLAIN_CA_KEY = 'ca-key.pem';
export const SEALED_CA_KEY = 'ca-key.sealed';

/** The key is sealed and this process has no vault to open it. */
export class CaKeyLockedError extends Error {
  override name = 'CaKeyLockedError';
  constructor() {
    super(
      'The local CA key is protected by the desktop app’s keychain, so a new certificate cannot ' +
        'be issued here. Open the Mailport app once to issue it, or run `mailport cert renew ' +
        '--new-ca` to make a new local CA (phones must then trust the new one).',
    );
  }
}

export type CaKeyState = 'plain' | 'sealed' | 'missing';

export async function caKeyState(certsDir: string): Promise<CaKeyState> {
  if (await exists(join(certsDir, PLAIN_CA_KEY))) return 'plain';
  if (await exists(join(certsDir, SEALED_CA_KEY))) return 'sealed';
  return 'missing';
}

/**
 * The CA key's PEM: the plain file, else the sealed one opened with `vault`. Undefined when
 * neither exists; CaKeyLockedError when only the sealed one exists and there is no vault.
 */
export async function readCaKey(certsDir: string, vault?: KeyVault): Promise<string | undefined> {
  const plain = await readFile(join(certsDir, PLAIN_CA_KEY), 'utf8').catch(() => undefined);
  if (plain !== undefined) return plain;
  const sealed = await readFile(join(certsDir, SEALED_CA_KEY)).catch(() => undefined);
  if (sealed === undefined) return undefined;
  if (!vault) throw new CaKeyLockedError();
  return vault.open(sealed);
}

/**
 * Moves a plain CA key into the vault: the sealed copy is written and read back before the
 * plain file goes, so a failure at any step leaves a usable key. Returns whether it sealed.
 */
export async function sealCaKey(certsDir: string, vault: KeyVault): Promise<boolean> {
  const plainPath = join(certsDir, PLAIN_CA_KEY);
  const pem = await readFile(plainPath, 'utf8').catch(() => undefined);
  if (pem === undefined) return false;
  const sealedPath = join(certsDir, SEALED_CA_KEY);
  const temp = `${sealedPath}.tmp-${process.pid}`;
  await writeFile(temp, vault.seal(pem), { mode: 0o600 });
  await rename(temp, sealedPath);
  if (vault.open(await readFile(sealedPath)) !== pem)
    throw new Error(`${vault.name} did not give the CA key back unchanged; it stays as it was.`);
  await rm(plainPath);
  return true;
}

/** Writes a (new) CA key where this process keeps it: sealed with a vault, else plain. */
export async function writeCaKey(certsDir: string, pem: string, vault?: KeyVault): Promise<void> {
  const target = join(certsDir, vault ? SEALED_CA_KEY : PLAIN_CA_KEY);
  const temp = `${target}.tmp-${process.pid}`;
  await writeFile(temp, vault ? vault.seal(pem) : pem, { mode: 0o600 });
  await rename(temp, target);
  // The other form would be a stale key for a CA that no longer exists.
  await rm(join(certsDir, vault ? PLAIN_CA_KEY : SEALED_CA_KEY), { force: true });
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}
