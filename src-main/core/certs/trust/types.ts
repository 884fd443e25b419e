/**
 * The words the trust installers share: a trust store (one NSS database, the system store, a
 * keychain, a Windows store), the CA as each store names it, and where the stores are.
 */
import type { TrustStoreEntry, TrustStoreResult } from '../../control/api.js';
import type { CommandRunner } from './run.js';

export type { TrustStoreEntry, TrustStoreResult };

/** Debian/Ubuntu (`update-ca-certificates`) or Fedora/RHEL/Arch (`update-ca-trust`). */
export interface LinuxSystemStore {
  readonly tool: 'update-ca-certificates' | 'update-ca-trust';
  /** Where a local anchor goes: `/usr/local/share/ca-certificates`, `.../source/anchors`. */
  readonly anchorsDir: string;
  /** The command that rebuilds the bundles from the anchors (argv). */
  readonly update: readonly string[];
}

/** Where the trust stores are; the defaults describe this computer and this user. */
export interface TrustEnvironment {
  readonly platform: NodeJS.Platform;
  /** The user's home folder (os.homedir(), which honours $HOME). */
  readonly home: string;
  /** Linux only: the system store, if this distribution has one Mailport knows. */
  readonly linuxSystem: LinuxSystemStore | undefined;
  /** Whether this process may change the system store without asking (root). */
  readonly privileged: boolean;
  readonly run: CommandRunner;
}

/** The local CA as the stores see it. */
export interface TrustedCa {
  readonly pem: string;
  /** The host name it was made for, as in file names ("mailbox"). */
  readonly host: string;
  /** Lower-case hex, no colons. */
  readonly sha256: string;
  readonly sha1: string;
  /** Names Mailport and the host, and is unique per CA (NSS refuses two subjects per nickname). */
  readonly nickname: string;
  /** A PEM file holding it, for the tools that read one. */
  readonly file: string;
}

/** A store failure, in words for the user, with the fix. */
export class TrustError extends Error {
  override name = 'TrustError';
}

/** One place that can hold the CA. */
export interface TrustStore {
  /** Kind and location together identify the store in trust.json. */
  readonly kind: StoreKind;
  readonly store: string;
  readonly location: string;
  /** Needs administrator rights (and is only touched when `system` is asked for). */
  readonly system: boolean;
  /** Whether the store holds `ca` as a trusted root. */
  holds(ca: TrustedCa): Promise<boolean>;
  /** Adds `ca` as a trusted root; throws TrustError. */
  add(ca: TrustedCa): Promise<void>;
  /** Removes `ca`, and only it; throws TrustError. */
  remove(ca: TrustedCa): Promise<void>;
}

export type StoreKind =
  'nss' | 'linux-system' | 'macos-login' | 'macos-system' | 'windows-user' | 'windows-machine';
