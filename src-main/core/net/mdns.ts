/**
 * Whether this computer announces `<host>.local` on the LAN (multicast DNS, RFC 6762). Mailport
 * does not publish the name itself, so a phone can only use `<host>.local` when the system
 * does: Bonjour on macOS, the built-in mDNS responder on Windows 10 and later, Avahi on Linux
 * and the BSDs (its daemon's socket exists while it runs).
 */
import { existsSync } from 'node:fs';

export const AVAHI_SOCKETS = ['/run/avahi-daemon/socket', '/var/run/avahi-daemon/socket'] as const;

/** Why `<host>.local` is not offered, in one sentence for the user. */
export const NAME_NOT_ANNOUNCED =
  'this computer does not announce its name on the network (no Avahi); use the address';

export interface MdnsProbe {
  readonly platform: NodeJS.Platform;
  readonly exists: (path: string) => boolean;
}

const THIS_COMPUTER: MdnsProbe = { platform: process.platform, exists: existsSync };

export function announcesHostName(probe: MdnsProbe = THIS_COMPUTER): boolean {
  if (probe.platform === 'darwin' || probe.platform === 'win32') return true;
  return AVAHI_SOCKETS.some((path) => probe.exists(path));
}
