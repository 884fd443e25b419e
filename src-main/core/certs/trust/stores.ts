/**
 * Which trust stores this computer has, per platform, and how to reopen one that trust.json
 * names. User stores are always included; system stores only when asked for.
 */
import { keychainStore } from './macos.js';
import { linuxSystemStore } from './linux-system.js';
import { nssLocations, nssStore } from './nss.js';
import type { TrustRecordEntry } from './record.js';
import { TrustError, type TrustEnvironment, type TrustStore } from './types.js';
import { windowsStore } from './windows.js';

/** A store that cannot be used here, with the reason; reported as a failed result. */
export interface UnavailableStore {
  readonly store: string;
  readonly location: string;
  readonly reason: string;
}

export async function discoverStores(
  env: TrustEnvironment,
  system: boolean,
): Promise<(TrustStore | UnavailableStore)[]> {
  switch (env.platform) {
    case 'darwin':
      return [keychainStore(false, env), ...(system ? [keychainStore(true, env)] : [])];
    case 'win32':
      return [windowsStore(false, env), ...(system ? [windowsStore(true, env)] : [])];
    case 'linux':
    case 'freebsd':
    case 'openbsd': {
      const user = (await nssLocations(env.home)).map((location) => nssStore(location, env));
      if (!system) return user;
      const config = env.linuxSystem;
      return [
        ...user,
        config
          ? linuxSystemStore(config, env)
          : {
              store: 'System',
              location: '',
              reason:
                'Neither update-ca-certificates nor update-ca-trust is installed, so Mailport ' +
                'does not know where this system keeps its certificate authorities: add the ' +
                'local CA file to it by hand.',
            },
      ];
    }
    default:
      return [
        {
          store: 'This computer',
          location: '',
          reason: `Mailport does not know the trust stores of ${env.platform}: add the local CA file by hand.`,
        },
      ];
  }
}

/** The store a trust.json entry names, to remove from or replace in. */
export function storeOf(entry: TrustRecordEntry, env: TrustEnvironment): TrustStore {
  switch (entry.kind) {
    case 'nss': {
      const app = /^(Firefox|Thunderbird)/.exec(entry.store)?.[1] ?? 'Chrome or Chromium';
      return nssStore({ store: entry.store, folder: entry.location, create: false, app }, env);
    }
    case 'linux-system': {
      // Only the store this system has: the update command must be the one for that folder.
      const config = env.linuxSystem;
      if (!config || config.anchorsDir !== entry.location) {
        throw new TrustError(
          `The system store Mailport changed (${entry.location}) is not this system's now: ` +
            `as root, delete Mailport's file from it and update the system's certificates.`,
        );
      }
      return linuxSystemStore(config, env);
    }
    case 'macos-login':
    case 'macos-system':
      return keychainStore(entry.kind === 'macos-system', env);
    case 'windows-user':
    case 'windows-machine':
      return windowsStore(entry.kind === 'windows-machine', env);
  }
}

export function isUnavailable(store: TrustStore | UnavailableStore): store is UnavailableStore {
  return 'reason' in store;
}
