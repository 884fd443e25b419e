/**
 * macOS keychains, changed with `security`: the login keychain for this user (macOS asks for
 * the user's password to change trust settings), the System keychain for every user (an
 * administrator prompt through `osascript … with administrator privileges`).
 * `add-trusted-cert -r trustRoot` adds the certificate and marks it a trusted root; removing
 * takes the trust setting away (`remove-trusted-cert`), then the certificate, by its SHA-1.
 */
import { join } from 'node:path';
import { toolSaid, type CommandResult } from './run.js';
import { TrustError, type TrustEnvironment, type TrustStore, type TrustedCa } from './types.js';

export const SYSTEM_KEYCHAIN = '/Library/Keychains/System.keychain';

export function loginKeychain(home: string): string {
  return join(home, 'Library', 'Keychains', 'login.keychain-db');
}

export const securityArgv = {
  add: (keychain: string, file: string, system: boolean) => [
    'security',
    'add-trusted-cert',
    ...(system ? ['-d'] : []),
    '-r',
    'trustRoot',
    '-k',
    keychain,
    file,
  ],
  removeTrust: (file: string, system: boolean) => [
    'security',
    'remove-trusted-cert',
    ...(system ? ['-d'] : []),
    file,
  ],
  remove: (keychain: string, sha1: string) => [
    'security',
    'delete-certificate',
    '-Z',
    sha1.toUpperCase(),
    keychain,
  ],
  find: (keychain: string) => [
    'security',
    'find-certificate',
    '-a',
    '-Z',
    '-c',
    'Mailport',
    keychain,
  ],
};

/** One shell line, each word single-quoted. */
function shellLine(argvs: readonly (readonly string[])[]): string {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  return argvs.map((argv) => argv.map(quote).join(' ')).join(' && ');
}

/** Runs `argvs` as root after the standard macOS administrator prompt. */
export function withAdministratorPrompt(argvs: readonly (readonly string[])[]): string[] {
  const script = shellLine(argvs).replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  return ['osascript', '-e', `do shell script "${script}" with administrator privileges`];
}

export function keychainStore(system: boolean, env: TrustEnvironment): TrustStore {
  const keychain = system ? SYSTEM_KEYCHAIN : loginKeychain(env.home);
  const elevate = system && !env.privileged;
  const run = async (argvs: string[][]): Promise<CommandResult> => {
    if (elevate) return env.run(withAdministratorPrompt(argvs));
    let last: CommandResult = { code: 0, stdout: '', stderr: '' };
    for (const argv of argvs) {
      last = await env.run(argv);
      if (last.code !== 0) break;
    }
    return last;
  };
  const fail = (what: string, result: CommandResult): never => {
    if (result.code === 'missing') throw new TrustError('The macOS `security` tool was not found.');
    throw new TrustError(
      `${what} (${toolSaid(result)}): try again and enter your password when macOS asks.`,
    );
  };
  return {
    kind: system ? 'macos-system' : 'macos-login',
    store: system ? 'macOS System keychain' : 'macOS login keychain',
    location: keychain,
    system,
    async holds(ca: TrustedCa) {
      const found = await env.run(securityArgv.find(keychain));
      return found.code === 0 && parseSha1Hashes(found.stdout).includes(ca.sha1.toUpperCase());
    },
    async add(ca) {
      const result = await run([securityArgv.add(keychain, ca.file, system)]);
      if (result.code !== 0) fail('macOS did not add the certificate', result);
    },
    async remove(ca) {
      const result = await run([
        securityArgv.removeTrust(ca.file, system),
        securityArgv.remove(keychain, ca.sha1),
      ]);
      if (result.code !== 0) fail('macOS did not remove the certificate', result);
    },
  };
}

/** The `SHA-1 hash: …` lines of `security find-certificate -Z`, upper case. */
export function parseSha1Hashes(output: string): string[] {
  return [...output.matchAll(/^SHA-1 hash: ([0-9A-Fa-f]{40})$/gm)].map((m) => m[1]!.toUpperCase());
}
