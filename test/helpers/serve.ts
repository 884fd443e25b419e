/**
 * Runs the built `mailport serve` as a child process on a data dir of the test's, with the
 * listeners on free loopback ports, and waits until it says where it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Accounts } from '../../src-main/core/auth/accounts.js';
import { dataPaths } from '../../src-main/core/config/paths.js';
import { SettingsStore } from '../../src-main/core/config/settings-store.js';
import type { Settings } from '../../src-main/core/config/schema.js';
import { freePort } from './ports.js';

export const CLI = resolve(import.meta.dirname, '../../dist/main/cli/main.js');

export interface RunningMailport {
  readonly dataDir: string;
  readonly ports: { pop3: number; pop3s: number; imap: number; imaps: number };
  /** The `mailport serve` process (for /proc/<pid>/status, e.g. its memory). */
  readonly pid: number;
  /** Whether the process is still running. */
  readonly alive: () => boolean;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface MailportSetup {
  readonly dataDir: string;
  readonly ports: RunningMailport['ports'];
}

/** A data dir with one account (`user`/`password`) on `maildir`, listeners on free ports. */
export async function setUpMailport(
  maildir: string,
  account = { user: 'tester', password: 'correct horse battery' },
  change: (s: Settings) => void = () => undefined,
): Promise<MailportSetup> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mailport-data-'));
  const ports = {
    pop3: await freePort(),
    pop3s: await freePort(),
    imap: await freePort(),
    imaps: await freePort(),
  };
  const settings = await SettingsStore.open(dataPaths(dataDir).settings);
  await settings.update((s) => {
    s.bind.address = 'loopback';
    s.security.loginPolicy = 'plaintext';
    for (const name of ['pop3', 'pop3s', 'imap', 'imaps'] as const)
      s.listeners[name].port = ports[name];
    s.phoneSetup.port = 0; // tests run side by side: each page on a port the system picks
    change(s);
  });
  await new Accounts(settings).add(account.user, maildir, account.password);
  return { dataDir, ports };
}

/**
 * `env` adds to the child's environment, e.g. `{ HOME }` for a sandboxed home; `wrap` runs it
 * through another program, e.g. `['ip', 'netns', 'exec', NAME]` (which execs, keeping the pid).
 */
export async function runMailport(
  setup: MailportSetup,
  env: NodeJS.ProcessEnv = {},
  wrap: readonly string[] = [],
): Promise<RunningMailport> {
  const [program, ...args] = [...wrap, process.execPath, CLI, 'serve'];
  const child: ChildProcess = spawn(program!, args, {
    env: { ...process.env, MAILPORT_DATA_DIR: setup.dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`mailport serve did not start:\n${output}`)),
      20_000,
    );
    const check = (): void => {
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', () => rej(new Error(`mailport serve exited:\n${output}`)));
  });
  return {
    ...setup,
    pid: child.pid!,
    alive: () => child.exitCode === null && child.signalCode === null,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
