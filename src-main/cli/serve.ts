/** `mailport serve`: run the listeners until SIGINT/SIGTERM, then stop cleanly. */
import { once } from 'node:events';
import { unwatchFile, watchFile } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/log/logger.js';
import { AdminServer } from '../core/control/http-server.js';
import type { ControlApi } from '../core/control/api.js';
import { readOrCreateToken } from '../core/control/admin-token.js';
import { dataPaths } from '../core/config/paths.js';
import { LISTENER_NAMES } from '../core/config/schema.js';
import { hostName, lanAddresses } from '../core/net/addresses.js';
import { openMailport } from '../core/runtime.js';
import { LISTENER_TITLES, type MailportService } from '../core/service.js';
import { printGenerated } from './account.js';

/** How often `settings.json` is checked for changes made by `mailport account …` or `config set`;
 * a changed password ends that account's sessions within about this long. */
const SETTINGS_POLL_MS = 250;

export async function serveCommand(dataDir: string): Promise<number> {
  const paths = dataPaths(dataDir);
  const {
    service,
    api,
    logger,
    firstRun: created,
    movedPorts: moved,
  } = await openMailport(dataDir);
  if (created) {
    if (moved.length) {
      const list = moved.map((m) => `${m.name} ${m.from} → ${m.to}`).join(', ');
      console.log(`Ports below 1024 need administrator rights here, so Mailport uses: ${list}.`);
      console.log('Change them with `mailport config set listeners.<name>.port PORT`.');
    }
    console.log(`First run: created account "${created.account}" serving ${created.maildir}.`);
    printGenerated(created.password);
  }

  const stopProgress = service.events.subscribe((event) => {
    if (event.type !== 'progress') return;
    const line = event.total
      ? `${progressBar(event.done ?? 0, event.total)} ${event.step}`
      : `${event.task}: ${event.step}…`;
    if (process.stdout.isTTY)
      process.stdout.write(`\r${line.padEnd(79)}${event.done === event.total ? '\n' : ''}`);
    else console.log(line);
  });
  const states = await service.start();
  stopProgress();
  console.log(`Mailport is serving (settings in ${paths.settings}).`);
  let listening = 0;
  for (const name of LISTENER_NAMES) {
    const state = states[name];
    const title = `${LISTENER_TITLES[name]} (${name})`.padEnd(28);
    if (state.status === 'listening') {
      listening += 1;
      console.log(`  ${title} listening on ${formatAddress(state.address)}:${state.port}`);
    } else if (state.status === 'failed') {
      console.log(`  ${title} not available: ${state.error} ${state.remedy}`);
    } else {
      console.log(`  ${title} off`);
    }
  }
  let admin = await startAdmin(service, api, logger);
  // A new admin.port (from the API or `mailport config set`) moves the admin server too.
  service.events.subscribe((event) => {
    if (event.type !== 'settings-changed' || admin?.port === service.settings.current.admin.port)
      return;
    // After the reply to the request that made the change has gone out.
    setTimeout(async () => {
      await admin?.stop();
      admin = await startAdmin(service, api, logger);
    }, 200);
  });
  const lan = lanAddresses();
  console.log(
    `Phones on this network can connect to ${[...lan, `${hostName()}.local`].join(', ')}.`,
  );
  if (listening === 0) console.log('No listener is running: check the messages above.');
  console.log('Press Ctrl-C to stop.');

  // `mailport config set` and `account …` in another terminal take effect without a restart.
  const onChange = (): void => void applyChangedSettings(service);
  watchFile(paths.settings, { interval: SETTINGS_POLL_MS }, onChange);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  unwatchFile(paths.settings, onChange);
  console.log('Stopping: closing sessions…');
  await admin?.stop();
  await service.stop();
  logger.flush();
  console.log('Stopped.');
  return 0;
}

function progressBar(done: number, total: number, width = 24): string {
  const filled = Math.round((done / Math.max(total, 1)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** The built settings window (dist/renderer beside dist/main), served at `/`. */
const RENDERER_DIR = fileURLToPath(new URL('../../renderer', import.meta.url));

/** The loopback admin server; a busy port is reported and serving goes on without it. */
async function startAdmin(
  service: MailportService,
  api: ControlApi,
  logger: Logger,
): Promise<AdminServer | undefined> {
  const token = await readOrCreateToken(service.paths.adminToken);
  const admin = new AdminServer({
    api,
    events: service.events,
    token,
    port: service.settings.current.admin.port,
    logger,
    rendererDir: RENDERER_DIR,
  });
  try {
    await admin.start();
    console.log(
      `Admin: http://127.0.0.1:${admin.port}/ (\`mailport admin-url\` prints the sign-in link).`,
    );
    return admin;
  } catch (err) {
    console.log(
      `Admin server not available: ${(err as Error).message}. Change admin.port to use another port.`,
    );
    return undefined;
  }
}

async function applyChangedSettings(service: MailportService): Promise<void> {
  try {
    const changed = await service.settings.reloadIfChanged();
    // A login may have reloaded the file first (accounts.ts): check the sessions either way.
    service.endRevokedSessions();
    if (!changed) return;
    const states = await service.applySettings();
    service.events.emit({ type: 'settings-changed' });
    console.log('Settings changed: applied.');
    for (const name of LISTENER_NAMES) {
      const state = states[name];
      if (state.status === 'failed') console.log(`  ${name}: ${state.error} ${state.remedy}`);
    }
  } catch (err) {
    console.log(`Settings changed but could not be applied: ${(err as Error).message}`);
  }
}

function formatAddress(address: string): string {
  if (address === '::') return '[::] (all networks)';
  return address.includes(':') ? `[${address}]` : address;
}
