/**
 * The Linux system store, which OpenSSL, GnuTLS, curl, Python and most command-line programs
 * read: a file in the distribution's anchors folder, then the tool that rebuilds the bundles.
 *   Debian, Ubuntu:     /usr/local/share/ca-certificates/<name>.crt, update-ca-certificates
 *   Fedora, RHEL:       /etc/pki/ca-trust/source/anchors/<name>.crt, update-ca-trust extract
 *   Arch (p11-kit):     /etc/ca-certificates/trust-source/anchors/<name>.crt, update-ca-trust
 * Changing it needs root: as another user, pkexec asks for the administrator password once
 * for both steps.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256OfPem } from './nss.js';
import { toolSaid } from './run.js';
import {
  TrustError,
  type LinuxSystemStore,
  type TrustEnvironment,
  type TrustStore,
  type TrustedCa,
} from './types.js';

const SH = '/bin/sh';
// "$1" the folder, "$2" the CA file, "$3" where it goes, then the update command.
const INSTALL = 'set -e; mkdir -p "$1"; cp "$2" "$3"; chmod 644 "$3"; shift 3; "$@"';
// "$1" the anchor file, then the update command.
const REMOVE = 'set -e; rm -f "$1"; shift; "$@"';

/** The system store of this distribution, or undefined if it has none Mailport knows. */
export async function detectLinuxSystemStore(): Promise<LinuxSystemStore | undefined> {
  const onPath = async (name: string) => {
    for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
      if (await exists(join(dir, name))) return true;
    }
    return false;
  };
  if (await onPath('update-ca-certificates')) {
    return {
      tool: 'update-ca-certificates',
      anchorsDir: '/usr/local/share/ca-certificates',
      update: ['update-ca-certificates'],
    };
  }
  if (await onPath('update-ca-trust')) {
    const arch = '/etc/ca-certificates/trust-source/anchors';
    return {
      tool: 'update-ca-trust',
      anchorsDir: (await exists(arch)) ? arch : '/etc/pki/ca-trust/source/anchors',
      update: ['update-ca-trust', 'extract'],
    };
  }
  return undefined;
}

/** The anchor file's name: Debian only reads `*.crt`. */
export function anchorFileName(ca: TrustedCa): string {
  return `mailport-${ca.host}-${ca.sha256.slice(0, 16)}.crt`;
}

/** The commands, as root would run them; `elevate` puts pkexec in front for another user. */
export const systemArgv = {
  install: (config: LinuxSystemStore, caFile: string, anchor: string, elevate: boolean) => [
    ...(elevate ? ['pkexec'] : []),
    SH,
    '-c',
    INSTALL,
    'sh',
    config.anchorsDir,
    caFile,
    anchor,
    ...config.update,
  ],
  remove: (config: LinuxSystemStore, anchor: string, elevate: boolean) => [
    ...(elevate ? ['pkexec'] : []),
    SH,
    '-c',
    REMOVE,
    'sh',
    anchor,
    ...config.update,
  ],
};

export function linuxSystemStore(config: LinuxSystemStore, env: TrustEnvironment): TrustStore {
  const anchorOf = (ca: TrustedCa) => join(config.anchorsDir, anchorFileName(ca));
  const elevate = !env.privileged;

  async function holds(ca: TrustedCa): Promise<boolean> {
    const text = await readFile(anchorOf(ca), 'utf8').catch(() => '');
    return sha256OfPem(text) === ca.sha256;
  }

  async function runAsAdmin(argv: string[], manual: string): Promise<void> {
    const result = await env.run(argv);
    if (result.code === 0) return;
    if (result.code === 'missing') {
      throw new TrustError(
        elevate
          ? `pkexec is not installed, so Mailport cannot ask for the administrator password: ` +
              `install it (package pkexec or policykit-1), or as root ${manual}.`
          : `${config.tool} is not installed: as root, ${manual}.`,
      );
    }
    if (elevate && /authentication agent/i.test(result.stderr)) {
      throw new TrustError(
        'No polkit agent is running to ask for the administrator password (is this a session ' +
          `without a desktop?): try again in a desktop session, or as root ${manual}.`,
      );
    }
    if (elevate && (result.code === 126 || result.code === 127)) {
      throw new TrustError(
        'The administrator password was not given, so the system store was not changed: ' +
          'try again and enter it when asked.',
      );
    }
    throw new TrustError(`${config.tool} failed (${toolSaid(result)}): as root, ${manual}.`);
  }

  return {
    kind: 'linux-system',
    store: `System (${config.tool})`,
    location: config.anchorsDir,
    system: true,
    holds,
    async add(ca) {
      const anchor = anchorOf(ca);
      const manual = `copy ${ca.file} to ${anchor} and run ${config.update.join(' ')}`;
      await runAsAdmin(systemArgv.install(config, ca.file, anchor, elevate), manual);
      if (!(await holds(ca))) throw new TrustError(`${anchor} was not written: ${manual} as root.`);
    },
    async remove(ca) {
      if (!(await holds(ca))) return;
      const anchor = anchorOf(ca);
      const manual = `delete ${anchor} and run ${config.update.join(' ')}`;
      await runAsAdmin(systemArgv.remove(config, anchor, elevate), manual);
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
