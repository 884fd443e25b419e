/**
 * Settings that validate but cannot work on this computer: two listeners on one port, a
 * listener on the settings page's port, a bind address this computer does not have, a port
 * the system will not let this user bind. Checked before a change is written (CLI and
 * ControlApi alike), so a working listener is never taken down by a change that cannot work.
 */
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { LISTENER_NAMES, SUBMISSION_LISTENERS, type Settings } from './schema.js';
import { bindHost } from '../net/addresses.js';
import { describeBindError } from '../net/listener.js';

export interface Machine {
  /** Every address of this computer's interfaces. */
  addresses(): string[];
  /** Tries to bind `port` on `host` for a moment: undefined when it can, else the error code. */
  probe(host: string, port: number): Promise<string | undefined>;
}

export const THIS_MACHINE: Machine = {
  addresses: () =>
    Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((e) => e.address)),
  probe: (host, port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EINVAL'));
      server.listen({ port, host, ipv6Only: false }, () => server.close(() => resolve(undefined)));
    }),
};

/**
 * One line per problem, each naming the key and what to do; empty when the change can work.
 * `probe` also tries the ports the change starts using (the CLI, which cannot see the running
 * listeners; the ControlApi binds them and puts the old settings back when one fails).
 */
export async function infeasible(
  before: Settings,
  after: Settings,
  { probe = true, machine = THIS_MACHINE }: { probe?: boolean; machine?: Machine } = {},
): Promise<string[]> {
  const problems = [
    ...portClashes(after),
    ...relayMissing(after),
    ...(await foreignAddress(after, machine)),
  ];
  if (problems.length || !probe) return problems;
  return unbindable(before, after, machine);
}

function portClashes(settings: Settings): string[] {
  const problems: string[] = [];
  const owners = new Map<number, string>([[settings.admin.port, 'admin.port']]);
  if (settings.phoneSetup.port !== 0) {
    if (settings.phoneSetup.port === settings.admin.port)
      problems.push(
        `phoneSetup.port: port ${settings.phoneSetup.port} is already set for admin.port; each needs its own port.`,
      );
    else owners.set(settings.phoneSetup.port, 'phoneSetup.port');
  }
  for (const name of LISTENER_NAMES) {
    const { port } = settings.listeners[name];
    const owner = owners.get(port);
    if (owner)
      problems.push(
        `listeners.${name}.port: port ${port} is already set for ${owner}; each needs its own port.`,
      );
    else owners.set(port, `listeners.${name}.port`);
  }
  return problems;
}

/**
 * The submission listeners only relay (issue 18): without a smarthost there is nowhere to send
 * to, so they stay off until `relay.host` is set.
 */
function relayMissing(settings: Settings): string[] {
  if (settings.relay.host !== '') return [];
  return SUBMISSION_LISTENERS.filter((name) => settings.listeners[name].enabled).map(
    (name) =>
      `listeners.${name}.enabled: submission needs a relay first: set your provider's outgoing server with \`mailport relay set --host …\` (relay.host), then turn it on.`,
  );
}

/** An address the system will not bind (all of 127.0.0.0/8 is this computer's, listed or not). */
async function foreignAddress(settings: Settings, machine: Machine): Promise<string[]> {
  const address = settings.bind.address;
  if (address === 'all' || address === 'loopback') return [];
  if ((await machine.probe(address, 0)) !== 'EADDRNOTAVAIL') return [];
  const own = machine.addresses();
  return [
    `bind.address: ${address} is not an address of this computer (it has ${own.join(', ')}); ` +
      'use "all", "loopback" or one of those.',
  ];
}

/**
 * Ports that this change starts using (a new port, or a listener switched on), tried for a
 * moment; busy or forbidden ones refused. A change of anything else never fails on a port
 * that was already set: the first run moves ports the user may not bind.
 */
async function unbindable(before: Settings, after: Settings, machine: Machine): Promise<string[]> {
  const host = bindHost(after.bind.address);
  const problems: string[] = [];
  for (const name of LISTENER_NAMES) {
    const wanted = after.listeners[name];
    const was = before.listeners[name];
    if (!wanted.enabled || (was.enabled && was.port === wanted.port)) continue;
    const code = await machine.probe(host, wanted.port);
    if (code) {
      const { error, remedy } = describeBindError(Object.assign(new Error(code), { code }), {
        name,
        port: wanted.port,
        host,
        tls: 'starttls',
      });
      problems.push(`listeners.${name}.port: ${error} ${remedy}`);
    }
  }
  return problems;
}
