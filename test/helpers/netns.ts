/**
 * Two network namespaces joined by a veth pair: a "server" and a "phone" on their own little
 * LAN (10.231.<x>.1 and .2, /24), with loopback up in both. Names carry a random suffix so
 * parallel runs do not meet; `remove()` deletes both namespaces (and with them the veth pair).
 * Needs root (CI's interop job runs as root) and iproute2.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { run, type RunResult } from './run.js';

export interface LanPair {
  readonly server: string;
  readonly phone: string;
  readonly serverAddress: string;
  readonly phoneAddress: string;
  /** Runs a program inside a namespace. */
  exec(
    namespace: string,
    args: readonly string[],
    options?: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
  ): Promise<RunResult>;
  remove(): Promise<void>;
}

async function ip(args: readonly string[]): Promise<void> {
  const result = await run('ip', args);
  if (result.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr.trim()}`);
}

export async function createLanPair(): Promise<LanPair> {
  const id = randomBytes(3).toString('hex');
  const subnet = `10.231.${randomInt(1, 255)}`;
  const server = `mp-srv-${id}`;
  const phone = `mp-ph-${id}`;
  const [serverLink, phoneLink] = [`mpv${id}s`, `mpv${id}p`]; // ≤ 15 characters
  const pair: LanPair = {
    server,
    phone,
    serverAddress: `${subnet}.1`,
    phoneAddress: `${subnet}.2`,
    exec: (namespace, args, options = {}) =>
      run('ip', ['netns', 'exec', namespace, ...args], options),
    async remove() {
      for (const ns of [server, phone])
        await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    },
  };
  try {
    await ip(['netns', 'add', server]);
    await ip(['netns', 'add', phone]);
    await ip(['link', 'add', serverLink, 'type', 'veth', 'peer', 'name', phoneLink]);
    for (const [ns, link, address] of [
      [server, serverLink, pair.serverAddress],
      [phone, phoneLink, pair.phoneAddress],
    ] as const) {
      await ip(['link', 'set', link, 'netns', ns]);
      await ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', link]);
      await ip(['-n', ns, 'link', 'set', link, 'up']);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  } catch (err) {
    await pair.remove();
    await run('ip', ['link', 'del', serverLink]).catch(() => undefined);
    throw err;
  }
  return pair;
}
