/**
 * The data dir: where settings, certificates, the admin token and logs live. It is the folder
 * Electron's `app.getPath('userData')` gives for the product name "Mailport", so the desktop app
 * and headless `mailport` share one configuration. `MAILPORT_DATA_DIR` overrides it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Mailport';

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.MAILPORT_DATA_DIR) return env.MAILPORT_DATA_DIR;
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', PRODUCT_NAME);
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
    default:
      return join(env.XDG_CONFIG_HOME || join(home, '.config'), PRODUCT_NAME);
  }
}

export interface DataPaths {
  readonly dataDir: string;
  readonly settings: string;
  readonly defaultMaildir: string;
  readonly certsDir: string;
  readonly logFile: string;
  /** Protocol logs, one file per listener. */
  readonly logsDir: string;
  readonly adminToken: string;
  /** Secrets without a keychain (the relay password when headless): core/secrets/file-store.ts. */
  readonly secrets: string;
  /** Submitted messages waiting for the relay: core/submission/queue.ts. */
  readonly queueDir: string;
}

export function dataPaths(dataDir: string = defaultDataDir()): DataPaths {
  return {
    dataDir,
    settings: join(dataDir, 'settings.json'),
    defaultMaildir: join(dataDir, 'Maildir'),
    certsDir: join(dataDir, 'certs'),
    logFile: join(dataDir, 'mailport.log'),
    logsDir: join(dataDir, 'logs'),
    adminToken: join(dataDir, 'admin-token'),
    secrets: join(dataDir, 'secrets.json'),
    queueDir: join(dataDir, 'queue'),
  };
}
