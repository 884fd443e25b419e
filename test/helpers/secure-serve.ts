/**
 * `mailport serve` as a user runs it, for the real-client interop tests: the default login
 * policy (no password before TLS), listeners and the admin page on free loopback ports, and
 * the local CA in the data dir (`certs/ca.pem`) that every client is told to verify against.
 *
 * The leaf certificate names `localhost`, 127.0.0.1 and ::1 (besides this machine's names).
 * Clients that check IP addresses in the subject alternative names connect to 127.0.0.1;
 * those that only check DNS names (mbsync, fetchmail, neomutt) connect to `localhost`.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Accounts } from '../../src-main/core/auth/accounts.js';
import { dataPaths } from '../../src-main/core/config/paths.js';
import { SettingsStore } from '../../src-main/core/config/settings-store.js';
import type { Settings } from '../../src-main/core/config/schema.js';
import { MaildirStore } from '../../src-main/core/store/maildir/maildir-store.js';
import { freePort } from './ports.js';
import { runMailport, setUpMailport, type RunningMailport } from './serve.js';

export interface MailAccount {
  readonly user: string;
  readonly password: string;
  readonly maildir: string;
}

export interface SecureMailport {
  /** The running child; replaced by `restart()`. */
  readonly server: RunningMailport;
  readonly ports: RunningMailport['ports'];
  /** The local CA's certificate, the one trust anchor the clients are given. */
  readonly caFile: string;
  readonly accounts: readonly MailAccount[];
  /**
   * Stops the process (SIGTERM, expecting exit code 0) and serves the same data dir again;
   * `whileStopped` runs in between (e.g. another program changing the Maildir).
   */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Serves each account's Maildir (created when missing) until `stop()`; `change` adjusts the
 * settings further (e.g. a protocol log).
 */
export async function serveSecurely(
  accounts: readonly MailAccount[],
  change: (s: Settings) => void = () => undefined,
): Promise<SecureMailport> {
  const [first, ...others] = accounts;
  if (!first) throw new Error('serveSecurely needs an account');
  for (const a of accounts) await new MaildirStore(a.maildir).ensure();
  const adminPort = await freePort();
  const setup = await setUpMailport(first.maildir, first, (s) => {
    s.security.loginPolicy = 'secure';
    s.admin.port = adminPort;
    change(s);
  });
  if (others.length > 0) {
    const settings = await SettingsStore.open(dataPaths(setup.dataDir).settings);
    for (const a of others) await new Accounts(settings).add(a.user, a.maildir, a.password);
  }
  let server = await runMailport(setup);
  return {
    get server() {
      return server;
    },
    ports: setup.ports,
    caFile: join(dataPaths(setup.dataDir).certsDir, 'ca.pem'),
    accounts,
    async restart(whileStopped) {
      const code = await server.stop('SIGTERM');
      if (code !== 0) throw new Error(`mailport serve exited with ${code}:\n${server.output()}`);
      await whileStopped?.();
      server = await runMailport(setup);
    },
    async stop() {
      await server.stop();
      await rm(setup.dataDir, { recursive: true, force: true });
    },
  };
}
