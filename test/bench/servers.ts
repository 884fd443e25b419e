/**
 * The two servers under test, each on its own copy of the Maildir, on loopback ports:
 * Debian's Dovecot 2.3 with on-disk indexes (its normal set-up) and the built
 * `mailport serve`. Both use the same certificate and key (Mailport's), a memory-hard
 * password hash (Mailport: scrypt N=2^15; Dovecot: ARGON2ID at `doveadm pw` defaults) and
 * limits raised for 200 connections from 127.0.0.1.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Accounts } from '../../src-main/core/auth/accounts.js';
import { dataPaths } from '../../src-main/core/config/paths.js';
import { SettingsStore } from '../../src-main/core/config/settings-store.js';
import type { Endpoint } from './imap-client.js';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';
export const USER = 'bench';
export const PASSWORD = 'bench-secret-42';

export type ServerName = 'dovecot' | 'mailport';

export interface BenchServer {
  readonly name: ServerName;
  readonly maildir: string;
  readonly imap: Endpoint;
  readonly imaps: Endpoint;
  readonly pop3: Endpoint;
  /** The process whose tree is the server (CPU and memory are summed over it). */
  readonly pid: number;
  /** Starts the server; resolves once it accepts connections. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** With the server stopped: deletes what it keeps besides the mail (index, cache). */
  forgetCaches(): void;
  /** Delivers a message the way an MDA does (tmp/, then rename into new/); returns when renamed. */
  deliver(message: Buffer, name: string): number;
  log(): string;
  /**
   * Mailport: the figures of the full-text index's "up to date" log line written since the
   * server last started, or undefined while there is none (issue 16). Dovecot: none at all.
   */
  fullTextIndexBuilt?(): Record<string, number> | undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(5);
  }
  throw new Error(`${what} did not start listening on ${port}`);
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src-main'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Mailport checkout');
    dir = up;
  }
  return dir;
}

function deliverInto(maildir: string, message: Buffer, name: string, owner?: number[]): number {
  const tmp = join(maildir, 'tmp', name);
  writeFileSync(tmp, message, { mode: 0o600 });
  if (owner) chownSync(tmp, owner[0]!, owner[1]!);
  const at = performance.now();
  renameSync(tmp, join(maildir, 'new', name));
  return at;
}

/**
 * The environment `npm start` runs the headless server with (`scripts/serve-environment.mjs`:
 * glibc's mmap threshold fixed on Linux), so the bench measures Mailport as it is started.
 */
async function launcherEnvironment(): Promise<NodeJS.ProcessEnv> {
  const module = pathToFileURL(join(repoRoot(), 'scripts', 'serve-environment.mjs')).href;
  const { serveEnvironment } = (await import(module)) as {
    serveEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  };
  return serveEnvironment(process.env);
}

/** Mailport's log line when a folder's full-text index has caught up. */
const FULL_TEXT_BUILT = 'full-text index up to date';

export async function createMailport(
  maildir: string,
  workDir: string,
  nodeArgs: readonly string[] = [],
): Promise<BenchServer> {
  const dataDir = join(workDir, 'mailport-data');
  mkdirSync(dataDir, { recursive: true });
  const ports = {
    imap: await freePort(),
    imaps: await freePort(),
    pop3: await freePort(),
    pop3s: await freePort(),
  };
  const settings = await SettingsStore.open(dataPaths(dataDir).settings);
  const adminPort = await freePort();
  await settings.update((s) => {
    s.bind.address = 'loopback';
    s.security.loginPolicy = 'plaintext';
    for (const name of ['pop3', 'pop3s', 'imap', 'imaps'] as const)
      s.listeners[name].port = ports[name];
    s.admin.port = adminPort;
    s.limits.maxConnections = 2000;
    s.limits.maxConnectionsPerAddress = 2000;
    s.limits.maxConnectionsPerAccount = 2000;
  });
  await new Accounts(settings).add(USER, maildir, PASSWORD);
  const cli = join(repoRoot(), 'dist/main/cli/main.js');
  const environment = await launcherEnvironment();
  let child: ChildProcess | undefined;
  let output = '';
  let startedAt = 0;
  const server: BenchServer = {
    name: 'mailport',
    maildir,
    imap: { port: ports.imap },
    get imaps() {
      return { port: ports.imaps, tlsCa: readFileSync(join(dataDir, 'certs/ca.pem'), 'latin1') };
    },
    pop3: { port: ports.pop3 },
    get pid() {
      return child?.pid ?? 0;
    },
    async start() {
      output = '';
      startedAt = Date.now();
      const started = spawn(process.execPath, [...nodeArgs, cli, 'serve'], {
        env: { ...environment, MAILPORT_DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      started.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      started.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (output.includes('Press Ctrl-C to stop.')) resolve();
        };
        started.stdout!.on('data', check);
        started.once('exit', () => reject(new Error(`mailport serve exited:\n${output}`)));
      });
    },
    stop: () => stopChild(child),
    forgetCaches() {
      rmSync(join(maildir, 'mailport.cache'), { force: true });
    },
    deliver: (message, name) => deliverInto(maildir, message, name),
    log: () => output,
    fullTextIndexBuilt: () => {
      let text = '';
      try {
        text = readFileSync(dataPaths(dataDir).logFile, 'utf8');
      } catch {
        return undefined;
      }
      return text
        .split('\n')
        .filter((l) => l.includes(FULL_TEXT_BUILT))
        .map((l) => JSON.parse(l) as Record<string, number>)
        .findLast((line) => line.time! >= startedAt);
    },
  };
  return server;
}

export interface DovecotOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** The CA clients verify the certificate with. */
  readonly caFile: string;
}

export async function createDovecot(
  maildir: string,
  workDir: string,
  tls: DovecotOptions,
): Promise<BenchServer> {
  const dir = join(workDir, 'dovecot');
  const uid = Number(execFileSync('id', ['-u', 'nobody']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody']).toString().trim());
  for (const sub of ['run', 'state', 'index', 'home'])
    mkdirSync(join(dir, sub), { recursive: true });
  for (const sub of ['index', 'home']) chownSync(join(dir, sub), uid, gid);
  execFileSync('chmod', ['755', workDir, dir]);
  const ports = { imap: await freePort(), imaps: await freePort(), pop3: await freePort() };
  const hash = execFileSync('doveadm', ['pw', '-s', 'ARGON2ID', '-p', PASSWORD]).toString().trim();
  writeFileSync(join(dir, 'passwd'), `${USER}:${hash}\n`);
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <${tls.certFile}
ssl_key = <${tls.keyFile}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_process_limit = 1000
default_client_limit = 4000
mail_max_userip_connections = 2000
passdb {
  driver = passwd-file
  args = username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home
}
mail_location = maildir:${maildir}:INDEX=${dir}/index
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${ports.imaps}
    ssl = yes
  }
  service_count = 0
  process_min_avail = 2
  client_limit = 1000
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    port = 0
  }
  service_count = 0
  process_min_avail = 1
}
service imap {
  process_limit = 1000
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`;
  const configPath = join(dir, 'dovecot.conf');
  writeFileSync(configPath, config);
  let child: ChildProcess | undefined;
  return {
    name: 'dovecot',
    maildir,
    imap: { port: ports.imap },
    imaps: { port: ports.imaps, tlsCa: readFileSync(tls.caFile, 'latin1') },
    pop3: { port: ports.pop3 },
    get pid() {
      return child?.pid ?? 0;
    },
    async start() {
      child = spawn(DOVECOT_BINARY, ['-F', '-c', configPath], { stdio: 'ignore' });
      await waitForPort(ports.imap, child, 'Dovecot');
    },
    stop: () => stopChild(child),
    forgetCaches() {
      rmSync(join(dir, 'index'), { recursive: true, force: true });
      mkdirSync(join(dir, 'index'));
      chownSync(join(dir, 'index'), uid, gid);
    },
    deliver: (message, name) => deliverInto(maildir, message, name, [uid, gid]),
    log: () => {
      try {
        return readFileSync(join(dir, 'dovecot.log'), 'utf8');
      } catch {
        return '';
      }
    },
  };
}
