/**
 * A user's home with real NSS databases (the shared ~/.pki/nssdb, a Firefox profile, a snap
 * Firefox profile, a Thunderbird profile) and a throwaway Debian system store that the real
 * update-ca-certificates rebuilds: nothing outside the temporary folder is touched.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LinuxSystemStore } from '../../../src-main/core/certs/trust/types.js';
import { run } from '../../helpers/run.js';

export interface Sandbox {
  readonly root: string;
  readonly home: string;
  readonly nssdb: string;
  readonly firefox: string;
  readonly snapFirefox: string;
  readonly thunderbird: string;
  readonly system: LinuxSystemStore;
  /** The bundle update-ca-certificates writes: what OpenSSL-based programs read. */
  readonly bundle: string;
  /** A certificate that was in ~/.pki/nssdb before Mailport, under this nickname. */
  readonly unrelatedNickname: string;
}

/** A profiles.ini naming one profile, and that profile's NSS database. */
async function mozillaProfile(base: string, folder: string, name: string): Promise<string> {
  const profile = join(base, folder);
  await mkdir(profile, { recursive: true });
  await writeFile(
    join(base, 'profiles.ini'),
    `[General]\nStartWithLastProfile=1\n\n[Profile0]\nName=${name}\nIsRelative=1\nPath=${folder}\nDefault=1\n`,
  );
  certutil(['-N', '-d', `sql:${profile}`, '--empty-password']);
  return profile;
}

function certutil(args: string[]): void {
  execFileSync('certutil', args, { stdio: 'ignore' });
}

export async function makeSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'mailport-trust-'));
  const home = join(root, 'home');
  const nssdb = join(home, '.pki', 'nssdb');
  const unrelatedNickname = 'Someone Else Root CA';
  const unrelated = join(root, 'unrelated.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(root, 'unrelated-key.pem'),
      '-out',
      unrelated,
      '-subj',
      '/CN=Someone Else Root CA',
      '-days',
      '30',
    ],
    { stdio: 'ignore' },
  );
  await mkdir(nssdb, { recursive: true });
  certutil(['-N', '-d', `sql:${nssdb}`, '--empty-password']);
  certutil(['-A', '-d', `sql:${nssdb}`, '-n', unrelatedNickname, '-t', 'C,,', '-i', unrelated]);
  const firefox = await mozillaProfile(
    join(home, '.mozilla', 'firefox'),
    'abcd1234.default-release',
    'default-release',
  );
  const snapFirefox = await mozillaProfile(
    join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox'),
    'wxyz5678.default',
    'default',
  );
  const thunderbird = await mozillaProfile(
    join(home, '.thunderbird'),
    'efgh9012.default-release',
    'default-release',
  );

  const store = join(root, 'system');
  const dirs = {
    conf: join(store, 'ca-certificates.conf'),
    share: join(store, 'usr-share-ca-certificates'),
    local: join(store, 'usr-local-share-ca-certificates'),
    etc: join(store, 'etc-ssl-certs'),
    hooks: join(store, 'update.d'),
  };
  // Like a real system, the store holds other authorities too (update-ca-certificates leaves
  // the old bundle in place when it would be empty).
  await mkdir(join(dirs.share, 'example'), { recursive: true });
  await mkdir(dirs.etc, { recursive: true });
  await writeFile(join(dirs.share, 'example', 'Someone_Else.crt'), await readFile(unrelated));
  await writeFile(dirs.conf, 'example/Someone_Else.crt\n');
  const system: LinuxSystemStore = {
    tool: 'update-ca-certificates',
    anchorsDir: dirs.local,
    update: [
      'update-ca-certificates',
      '--certsconf',
      dirs.conf,
      '--certsdir',
      dirs.share,
      '--localcertsdir',
      dirs.local,
      '--etccertsdir',
      dirs.etc,
      '--hooksdir',
      dirs.hooks,
    ],
  };
  return {
    root,
    home,
    nssdb,
    firefox,
    snapFirefox,
    thunderbird,
    system,
    bundle: join(dirs.etc, 'ca-certificates.crt'),
    unrelatedNickname,
  };
}

/** `certutil -L -d sql:<db>`: nickname → trust attributes. */
export async function listNss(db: string): Promise<Map<string, string>> {
  const result = await run('certutil', ['-L', '-d', `sql:${db}`]);
  const entries = new Map<string, string>();
  for (const line of result.stdout.split('\n').slice(4)) {
    const match = /^(.*?)\s+(\w*,\w*,\w*)\s*$/.exec(line);
    if (match) entries.set(match[1]!, match[2]!);
  }
  return entries;
}
