/**
 * The names a phone may use to reach this computer, and which of them the certificate can carry.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { hostName, lanAddresses } from '../net/addresses.js';
import { canonicalIp, ipToBytes, parseRange, rangeContains, type AddressRange } from './ip.js';

/** This computer as the network knows it: its host name and current LAN addresses. */
export interface MachineNames {
  readonly hostName: string;
  readonly addresses: readonly string[];
}

/** A name the certificate leaves out, and why, in words for the user. */
export interface OmittedName {
  readonly name: string;
  readonly reason: string;
}

/** The subject alternative names (RFC 5280 §4.2.1.6) a leaf certificate should carry. */
export interface WantedNames {
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly omitted: OmittedName[];
}

/**
 * Addresses that are never routed on the internet: loopback (RFC 1122, RFC 4291), private
 * (RFC 1918), unique local (RFC 4193) and link-local (RFC 3927, RFC 4291). The local CA may
 * certify these and nothing else.
 */
export const PRIVATE_RANGES: readonly AddressRange[] = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
].map(parseRange);

export const LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'] as const;

export function currentMachineNames(): MachineNames {
  return { hostName: hostName(), addresses: lanAddresses() };
}

/** A host name as it goes in a certificate (lower case, IDNA A-labels), or undefined. */
export function dnsName(text: string): string | undefined {
  const ascii = domainToASCII(text.trim().toLowerCase()).replace(/\.$/, '');
  if (ascii === '' || ascii.length > 253 || isIP(ascii) !== 0) return undefined;
  const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
  return ascii.split('.').every((part) => label.test(part)) ? ascii : undefined;
}

/**
 * The DNS names of this computer: its host name, `<host>.local` (mDNS, RFC 6762) and
 * `localhost`. A host name that cannot be a DNS name is left out, with the reason.
 */
export function machineDnsNames(names: MachineNames): { names: string[]; omitted: OmittedName[] } {
  const host = dnsName(names.hostName.replace(/\.local\.?$/i, ''));
  if (host === undefined) {
    const reason =
      `The host name "${names.hostName}" cannot be written in a certificate (only letters, ` +
      `digits and hyphens can); phones should connect by "localhost" or by address instead.`;
    return { names: ['localhost'], omitted: [{ name: names.hostName, reason }] };
  }
  return { names: unique([host, `${host}.local`, 'localhost']), omitted: [] };
}

/** Loopback first, then each LAN address once, in canonical form; junk is skipped. */
export function machineAddresses(names: MachineNames): string[] {
  const all = [...LOOPBACK_ADDRESSES, ...names.addresses].map(canonicalIp);
  return unique(all.filter((a): a is string => a !== undefined));
}

export function isPrivateAddress(address: string): boolean {
  const bytes = ipToBytes(address);
  return bytes !== undefined && PRIVATE_RANGES.some((range) => rangeContains(range, bytes));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
