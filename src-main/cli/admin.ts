/** `mailport admin-url` and `mailport status`: talking to a running `mailport serve`. */
import { request } from 'node:http';
import { dataPaths } from '../core/config/paths.js';
import { SettingsStore } from '../core/config/settings-store.js';
import { readOrCreateToken } from '../core/control/admin-token.js';
import type { Status } from '../core/control/api.js';

export async function endpoint(dataDir: string): Promise<{ port: number; token: string }> {
  const paths = dataPaths(dataDir);
  const settings = await SettingsStore.open(paths.settings);
  return { port: settings.current.admin.port, token: await readOrCreateToken(paths.adminToken) };
}

export async function adminUrlCommand(dataDir: string): Promise<number> {
  const { port, token } = await endpoint(dataDir);
  try {
    await callRunning<Status>(port, token, 'getStatus');
  } catch (err) {
    console.error(notRunning(port, err));
    return 1;
  }
  console.log(`http://127.0.0.1:${port}/login?token=${token}`);
  return 0;
}

function notRunning(port: number, err: unknown): string {
  return (err as NodeJS.ErrnoException).code === 'ECONNREFUSED'
    ? `Mailport is not running (nothing answers on 127.0.0.1:${port}). Start it with \`mailport serve\`.`
    : `Could not ask the running Mailport: ${(err as Error).message}`;
}

/** Calls a ControlApi method on the running instance. */
export function callRunning<T>(
  port: number,
  token: string,
  method: string,
  args: unknown = {},
): Promise<T> {
  const body = JSON.stringify(args);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `/api/${method}`,
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${token}`,
          Host: `127.0.0.1:${port}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          try {
            const data = JSON.parse(text) as T & { error?: { message: string } };
            if (res.statusCode === 200) resolve(data);
            else reject(new Error(data.error?.message ?? `HTTP ${res.statusCode}`));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function statusCommand(dataDir: string): Promise<number> {
  const { port, token } = await endpoint(dataDir);
  let status: Status;
  try {
    status = await callRunning<Status>(port, token, 'getStatus');
  } catch (err) {
    console.error(notRunning(port, err));
    return 1;
  }
  console.log(`Mailport has been running since ${status.startedAt}.`);
  for (const l of status.listeners) {
    const title = `${l.title} (${l.name})`.padEnd(28);
    const state = l.state;
    if (state.status === 'listening') console.log(`  ${title} listening on port ${state.port}`);
    else if (state.status === 'failed')
      console.log(`  ${title} failed: ${state.error} ${state.remedy}`);
    else console.log(`  ${title} off`);
  }
  printConnections(status.connections);
  printQueue(status.queue);
  printPhoneAddresses(status.phone);
  for (const p of status.maildirProblems ?? []) console.log(`  ${p.account}: ${p.problem}`);
  return 0;
}

/** The outgoing queue (absent from an older running Mailport). */
function printQueue(queue: Status['queue'] | undefined): void {
  if (!queue) return;
  if (queue.count === 0) {
    console.log('Outgoing queue: empty.');
    return;
  }
  const plural = queue.count === 1 ? 'message waits' : 'messages wait';
  console.log(
    `Outgoing queue: ${queue.count} ${plural} for the relay, the oldest since ${queue.oldest}.`,
  );
  if (queue.lastError) console.log(`  Last error: ${queue.lastError}`);
}

function printPhoneAddresses(phone: Status['phone']): void {
  if (phone.addresses.length)
    console.log(`Phones on this network can connect to ${phone.addresses.join(', ')}.`);
  for (const note of phone.notes) console.log(note);
}

function printConnections(connections: Status['connections']): void {
  const count = connections.length;
  console.log(
    count === 0 ? 'No connections open.' : `${count} connection${count === 1 ? '' : 's'} open:`,
  );
  for (const c of connections) {
    const who = c.account ? `signed in as ${c.account}` : 'not signed in';
    console.log(`  ${c.listener.padEnd(6)} from ${c.remoteAddress}, ${who}, since ${c.since}`);
  }
}
