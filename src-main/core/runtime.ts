/**
 * One running Mailport, put together the same way for `mailport serve` and for the desktop
 * shell: the rotated app log (with an in-memory ring for the window), the service, the first
 * run, and the ControlApi over it.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { choosePorts, firstRun, type FirstRunResult } from './first-run.js';
import { createLogger, type Logger } from './log/logger.js';
import { LogRing } from './log/ring.js';
import { logRotation, rotateLog } from './log/rotate.js';
import type { SecretStore } from './secrets/secret-store.js';
import type { KeyVault } from './certs/key-vault.js';
import { createControlApi } from './control/control-api.js';
import type { ControlApi } from './control/api.js';
import { dataPaths } from './config/paths.js';
import { SettingsStore } from './config/settings-store.js';
import { MailportService } from './service.js';

export interface MovedPort {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

export interface Mailport {
  readonly service: MailportService;
  readonly api: ControlApi;
  readonly ring: LogRing;
  readonly logger: Logger;
  /** Set when this run created the first account (its password is shown once). */
  readonly firstRun: FirstRunResult | undefined;
  /** Ports moved above 1024 on the first run because low ports need administrator rights. */
  readonly movedPorts: readonly MovedPort[];
}

export interface OpenOptions {
  /** The desktop app's keychain for the CA key (headless keeps the 0600 file). */
  readonly keyVault?: KeyVault;
  /** Where the relay password is kept: the keychain in the desktop app (headless: a 0600 file). */
  readonly secrets?: SecretStore;
}

export async function openMailport(dataDir: string, options: OpenOptions = {}): Promise<Mailport> {
  const paths = dataPaths(dataDir);
  await makePrivate(dataDir);
  const { current } = await SettingsStore.open(paths.settings);
  const rotation = logRotation(current);
  await rotateLog(paths.logFile, rotation.maxBytes, rotation.keep);
  const ring = new LogRing();
  const logger = createLogger({
    file: paths.logFile,
    level: current.logging.level,
    ring,
    rotation,
  });
  const service = await MailportService.open({ dataDir, logger, ...options });
  // Ports first: the welcome message of the first run names the ports phones must use.
  const isFirstRun = service.accounts.list().length === 0;
  const movedPorts = isFirstRun ? await choosePorts(service.settings) : [];
  const created = await firstRun(service.accounts, paths.defaultMaildir, paths.certsDir);
  const api = createControlApi(service, { recentLogs: (limit) => ring.recent(limit) });
  return { service, api, ring, logger, firstRun: created, movedPorts };
}

/**
 * The data dir holds password hashes, the CA key and logs of who signed in from where: it is
 * the user's alone (0700), also when an older version or another program made it wider.
 */
async function makePrivate(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  // A data dir someone else owns (set up for this user by an administrator) is left as it is.
  await chmod(dataDir, 0o700).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPERM' && err.code !== 'EACCES') throw err;
  });
}
