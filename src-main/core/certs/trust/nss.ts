/**
 * NSS databases (Chrome and Chromium on Linux, Firefox, Thunderbird), changed with NSS's own
 * `certutil` (package libnss3-tools): the CA is added under its nickname with trust `C,,`
 * (a CA trusted to issue TLS server certificates; nothing for e-mail or code signing).
 */
import { X509Certificate } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readProfiles } from './mozilla-profiles.js';
import { toolSaid, type CommandResult } from './run.js';
import { TrustError, type TrustEnvironment, type TrustStore, type TrustedCa } from './types.js';

/** Trusted to issue TLS server certificates (SSL field `C`), nothing else. */
export const NSS_TRUST = 'C,,';

const database = (folder: string) => `sql:${folder}`;

export const certutilArgv = {
  create: (folder: string) => ['certutil', '-N', '-d', database(folder), '--empty-password'],
  add: (folder: string, nickname: string, file: string) => [
    'certutil',
    '-A',
    '-d',
    database(folder),
    '-n',
    nickname,
    '-t',
    NSS_TRUST,
    '-i',
    file,
  ],
  show: (folder: string, nickname: string) => [
    'certutil',
    '-L',
    '-d',
    database(folder),
    '-n',
    nickname,
    '-a',
  ],
  list: (folder: string) => ['certutil', '-L', '-d', database(folder)],
  remove: (folder: string, nickname: string) => [
    'certutil',
    '-D',
    '-d',
    database(folder),
    '-n',
    nickname,
  ],
};

const MISSING_CERTUTIL =
  'certutil is not installed: install libnss3-tools (Debian, Ubuntu) or nss-tools ' +
  '(Fedora, Arch), then try again.';

interface NssLocation {
  readonly store: string;
  readonly folder: string;
  /** The shared database is created when missing, as Chromium would; profiles are not. */
  readonly create: boolean;
  /** The program that owns it, for "close Firefox and try again". */
  readonly app: string;
}

/** Every NSS database of the user: the shared one, then each Firefox and Thunderbird profile. */
export async function nssLocations(home: string): Promise<NssLocation[]> {
  const shared: NssLocation = {
    store: 'Chrome and Chromium (shared NSS database)',
    folder: join(home, '.pki', 'nssdb'),
    create: true,
    app: 'Chrome or Chromium',
  };
  const apps = [
    {
      app: 'Firefox',
      dirs: [
        '.mozilla/firefox',
        'snap/firefox/common/.mozilla/firefox',
        '.var/app/org.mozilla.firefox/.mozilla/firefox',
      ],
    },
    {
      app: 'Thunderbird',
      dirs: [
        '.thunderbird',
        'snap/thunderbird/common/.thunderbird',
        '.var/app/org.mozilla.Thunderbird/.thunderbird',
      ],
    },
  ];
  const profiles: NssLocation[] = [];
  for (const { app, dirs } of apps) {
    for (const dir of dirs) {
      for (const profile of await readProfiles(join(home, dir))) {
        const packaging = dir.startsWith('snap/')
          ? ' (snap)'
          : dir.startsWith('.var/')
            ? ' (Flatpak)'
            : '';
        profiles.push({
          store: `${app}${packaging} profile ${profile.name}`,
          folder: profile.folder,
          create: false,
          app,
        });
      }
    }
  }
  return [shared, ...profiles];
}

export function nssStore(location: NssLocation, env: TrustEnvironment): TrustStore {
  const run = async (argv: string[]): Promise<CommandResult> => {
    const result = await env.run(argv);
    if (result.code === 'missing') throw new TrustError(MISSING_CERTUTIL);
    return result;
  };
  const folder = location.folder;
  const present = () => exists(join(folder, 'cert9.db'));

  /** The certificate under `nickname` is `ca`. */
  async function isCa(nickname: string, ca: TrustedCa): Promise<boolean> {
    const shown = await run(certutilArgv.show(folder, nickname));
    return shown.code === 0 && sha256OfPem(shown.stdout) === ca.sha256;
  }

  /**
   * Whether the database holds `ca` as a trusted CA, under Mailport's nickname or (NSS keeps
   * one nickname per certificate) under one it was given before, e.g. by Firefox's import
   * dialog ("Mailport local CA (box) - Mailport"). Only nicknames naming Mailport are read:
   * a profile may cache hundreds of other certificates.
   */
  async function holds(ca: TrustedCa): Promise<boolean> {
    if (!(await present())) return false;
    const listing = (await run(certutilArgv.list(folder))).stdout;
    const trusted = (nickname: string) =>
      trustFlags(listing, nickname)?.split(',')[0]?.includes('C') ?? false;
    if (await isCa(ca.nickname, ca)) return trusted(ca.nickname);
    for (const nickname of listedNicknames(listing)) {
      if (nickname === ca.nickname || !/mailport/i.test(nickname)) continue;
      if (await isCa(nickname, ca)) return trusted(nickname);
    }
    return false;
  }

  return {
    kind: 'nss',
    store: location.store,
    location: folder,
    system: false,
    holds,
    async add(ca) {
      if (!(await present())) {
        if (!location.create) {
          throw new TrustError(
            `${location.store} has no certificate database yet: start ${location.app} once ` +
              `with this profile, then try again.`,
          );
        }
        await mkdir(folder, { recursive: true, mode: 0o700 });
        const created = await run(certutilArgv.create(folder));
        if (created.code !== 0) {
          throw new TrustError(`certutil could not create ${folder} (${toolSaid(created)}).`);
        }
      }
      const added = await run(certutilArgv.add(folder, ca.nickname, ca.file));
      if (added.code !== 0 || !(await holds(ca))) {
        throw new TrustError(
          `certutil could not add the certificate (${toolSaid(added)}): close ` +
            `${location.app} and try again.`,
        );
      }
    },
    async remove(ca) {
      // Only the certificate under our nickname, and only if it is this CA.
      if (!(await present())) return;
      if (!(await isCa(ca.nickname, ca))) return;
      const removed = await run(certutilArgv.remove(folder, ca.nickname));
      if (removed.code !== 0) {
        throw new TrustError(
          `certutil could not remove the certificate (${toolSaid(removed)}): close ` +
            `${location.app} and try again.`,
        );
      }
    },
  };
}

/** The trust attributes `certutil -L` lists for `nickname` ("C,,"), if it lists it. */
export function trustFlags(listing: string, nickname: string): string | undefined {
  for (const line of listing.split('\n')) {
    if (!line.startsWith(nickname)) continue;
    const flags = line.slice(nickname.length).trim();
    if (/^[a-zA-Z]*,[a-zA-Z]*,[a-zA-Z]*$/.test(flags)) return flags;
  }
  return undefined;
}

/** The nicknames of a `certutil -L` listing (after its three header lines). */
export function listedNicknames(listing: string): string[] {
  return listing
    .split('\n')
    .map((line) => /^(.*?)\s+[a-zA-Z]*,[a-zA-Z]*,[a-zA-Z]*\s*$/.exec(line)?.[1])
    .filter((nickname): nickname is string => nickname !== undefined && nickname !== '');
}

export function sha256OfPem(text: string): string | undefined {
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  if (!pem) return undefined;
  try {
    return new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase();
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
