/**
 * Windows certificate stores, changed with `certutil.exe`: the current user's Root store
 * (`-user`; Windows shows its own "Do you want to install this certificate?" confirmation), or
 * the computer's Root store for every user, elevated through a UAC prompt
 * (`Start-Process -Verb RunAs`). Removal is by SHA-1 thumbprint, so only this CA goes.
 */
import { toolSaid, type CommandResult } from './run.js';
import { TrustError, type TrustEnvironment, type TrustStore, type TrustedCa } from './types.js';

const scope = (system: boolean) => (system ? [] : ['-user']);

export const certutilExeArgv = {
  add: (file: string, system: boolean) => ['certutil', ...scope(system), '-addstore', 'Root', file],
  remove: (sha1: string, system: boolean) => [
    'certutil',
    ...scope(system),
    '-delstore',
    'Root',
    sha1.toLowerCase(),
  ],
  find: (sha1: string, system: boolean) => [
    'certutil',
    ...scope(system),
    '-store',
    'Root',
    sha1.toLowerCase(),
  ],
};

/**
 * Runs argv elevated after a UAC prompt and exits with its status. Each argument is one
 * PowerShell single-quoted string holding a double-quoted word, so paths with spaces survive
 * Start-Process joining the list into one command line.
 */
export function withUacPrompt(argv: readonly string[]): string[] {
  const [file, ...args] = argv;
  const quote = (word: string) => `'${`"${word}"`.replaceAll("'", "''")}'`;
  const list = args.length ? ` -ArgumentList ${args.map(quote).join(',')}` : '';
  return [
    'powershell.exe',
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    `$p = Start-Process -FilePath ${quote(file ?? '')}${list} -Verb RunAs -Wait -PassThru ` +
      `-WindowStyle Hidden; exit $p.ExitCode`,
  ];
}

export function windowsStore(system: boolean, env: TrustEnvironment): TrustStore {
  const elevate = system && !env.privileged;
  const run = (argv: string[]) => env.run(elevate ? withUacPrompt(argv) : argv);
  const fail = (what: string, result: CommandResult): never => {
    if (result.code === 'missing') throw new TrustError('certutil.exe was not found.');
    const hint = system ? 'accept the administrator prompt' : 'answer Yes when Windows asks';
    throw new TrustError(`${what} (${toolSaid(result)}): try again and ${hint}.`);
  };
  return {
    kind: system ? 'windows-machine' : 'windows-user',
    store: system ? 'Windows (all users)' : 'Windows (this user)',
    location: system ? 'LocalMachine\\Root' : 'CurrentUser\\Root',
    system,
    async holds(ca: TrustedCa) {
      return (await env.run(certutilExeArgv.find(ca.sha1, system))).code === 0;
    },
    async add(ca) {
      const result = await run(certutilExeArgv.add(ca.file, system));
      if (result.code !== 0) fail('Windows did not add the certificate', result);
    },
    async remove(ca) {
      const result = await run(certutilExeArgv.remove(ca.sha1, system));
      if (result.code !== 0) fail('Windows did not remove the certificate', result);
    },
  };
}
