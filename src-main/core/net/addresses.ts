/** The addresses phones can use to reach this computer, and the bind address setting. */
import { networkInterfaces, hostname } from 'node:os';

/** Non-loopback, non-link-local addresses of this computer (what a phone on the LAN dials). */
export function lanAddresses(): string[] {
  const out: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (entry.family === 'IPv6' && /^fe80:/i.test(entry.address)) continue;
      out.push(entry.address);
    }
  }
  return out;
}

export function hostName(): string {
  return hostname().split('.')[0] || 'localhost';
}

/** Maps the `bind.address` setting to a socket address. */
export function bindHost(setting: string): string {
  if (setting === 'all') return '::';
  if (setting === 'loopback') return '127.0.0.1';
  return setting;
}
