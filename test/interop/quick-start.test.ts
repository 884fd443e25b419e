/**
 * The README's Quick start, followed as a new user would: a fresh clone, `npm install` and
 * `npm start` as an ordinary user (nobody, with a home of its own), then the `npx mailport`
 * commands the README promises, against the server `npm start` runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '../helpers/ports.js';
import { run, type RunResult } from '../helpers/run.js';

const ROOT = resolve(import.meta.dirname, '../..');
const canDropPrivileges = process.getuid?.() === 0 && existsSync('/usr/sbin/runuser');
let work: string;
let clone: string;
let env: NodeJS.ProcessEnv;

/** Runs a command as `nobody` in the clone. */
function asUser(command: string[], timeoutMs = 120_000): Promise<RunResult> {
  return run('runuser', ['-u', 'nobody', '--', 'env', ...envArgs(), ...command], {
    cwd: clone,
    timeoutMs,
  });
}

function envArgs(): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

beforeAll(async () => {
  if (!canDropPrivileges) return;
  work = await mkdtemp(join(tmpdir(), 'mailport-quick-start-'));
  clone = join(work, 'mailport');
  const home = join(work, 'home');
  await mkdir(home);
  expect((await run('git', ['clone', '--quiet', ROOT, clone])).code).toBe(0);
  // The packages come from npm's cache as they would from the registry (no second download).
  const cache = join(homedir(), '.npm', '_cacache');
  if (existsSync(cache)) await cp(cache, join(work, 'npm-cache', '_cacache'), { recursive: true });
  await run('chown', ['-R', 'nobody:nogroup', work]);
  await chmod(work, 0o755);
  env = {
    HOME: home,
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_update_notifier: 'false',
    CI: 'true',
  };
}, 900_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!canDropPrivileges)('the README Quick start, as an ordinary user', () => {
  it('npm install && npm start serves, and `npx mailport` talks to it', async () => {
    const readme = await readFile(join(clone, 'README.md'), 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('`npx mailport status`');

    const install = await asUser(
      ['npm', 'install', '--no-audit', '--no-fund', '--prefer-offline'],
      900_000,
    );
    expect(install.code, install.stderr.slice(-2000)).toBe(0);
    // The command exists right after `npm install`.
    const version = await asUser(['npx', '--offline', 'mailport', '--version']);
    expect(version.stdout).toMatch(/^mailport \d+\.\d+\.\d+\n$/);
    // This test serves on loopback only; a user keeps the default (every address).
    const bind = await asUser([
      'npx',
      '--offline',
      'mailport',
      'config',
      'set',
      'bind.address',
      'loopback',
    ]);
    expect(bind.code, bind.stderr).toBe(0);
    // and its own admin port, in case another Mailport on this machine has the default one.
    const admin = await asUser([
      'npx',
      '--offline',
      'mailport',
      'config',
      'set',
      'admin.port',
      String(await freePort()),
    ]);
    expect(admin.code, admin.stderr).toBe(0);

    const start = spawnAsUser(['npm', 'start']);
    try {
      await expect
        .poll(() => start.output, { timeout: 180_000, interval: 500 })
        .toContain('Press Ctrl-C to stop.');
      expect(start.output).toContain('so it runs headless (mailport serve)');
      const password = /Password: (\S+)/.exec(start.output)?.[1];
      expect(password).toBeDefined();

      const status = await asUser(['npx', '--offline', 'mailport', 'status']);
      expect(status.code, `${status.stderr}\n${start.output}`).toBe(0);
      expect(status.stdout).toMatch(/IMAP over TLS \(imaps\)\s+listening on port 10993/);
      const accounts = await asUser(['npx', '--offline', 'mailport', 'account', 'list']);
      expect(accounts.stdout).toMatch(/^nobody\t/);
      // The welcome message names the ports Mailport really uses.
      const welcome = await run('sh', [
        '-c',
        `cat "${join(env.HOME!, '.config/Mailport/Maildir')}"/*/*`,
      ]);
      expect(welcome.stdout).toMatch(/IMAP port: +10993/);
    } finally {
      await start.stop();
    }
    expect(start.output).not.toMatch(/Error:|at .*\.js:\d+/);
  });
});

function spawnAsUser(command: string[]): { output: string; stop: () => Promise<void> } {
  const child: ChildProcess = spawn(
    'runuser',
    ['-u', 'nobody', '--', 'env', ...envArgs(), ...command],
    {
      cwd: clone,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const state = {
    output: '',
    async stop(): Promise<void> {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGINT'); // Ctrl-C reaches the whole process group
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  child.stdout!.on('data', (c: Buffer) => (state.output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (state.output += c.toString()));
  return state;
}
