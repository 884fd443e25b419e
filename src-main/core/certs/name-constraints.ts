/**
 * The name constraints of the local CA (RFC 5280 §4.2.1.10): it may only certify this
 * computer's own names and addresses that are never routed on the internet, so that a stolen
 * CA key cannot be used to impersonate any other site.
 *
 *   NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, ... }
 *   GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
 *   GeneralSubtree  ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
 *   GeneralName     ::= dNSName [2] IA5String | iPAddress [7] OCTET STRING | ...
 *
 * The module uses implicit tags, so [0] replaces the SEQUENCE tag and [2]/[7] the string tags.
 * An iPAddress constraint is the address followed by its mask (8 octets for IPv4, 32 for IPv6).
 */
import {
  childrenOf,
  contextTag,
  encodeElement,
  readWhole,
  TAG,
  textOf,
  type DerElement,
} from './der.js';
import { bytesToIp, ipToBytes, rangeContains, rangeMask, type AddressRange } from './ip.js';
import {
  machineAddresses,
  machineDnsNames,
  PRIVATE_RANGES,
  type MachineNames,
  type OmittedName,
  type WantedNames,
} from './names.js';

export const NAME_CONSTRAINTS_OID = '2.5.29.30';
const PERMITTED = 0;
const DNS_NAME = 2;
const IP_ADDRESS = 7;

/** The permitted subtrees; a name of either kind outside them is refused by verifiers. */
export interface NameConstraints {
  readonly dnsNames: readonly string[];
  readonly ranges: readonly AddressRange[];
}

/**
 * Names under which home and office networks name their machines: mDNS (RFC 6762), the `lan`
 * that many routers (OpenWrt, dnsmasq) hand out, and `home.arpa` (RFC 8375). Written in the
 * RFC 5280 form, without a leading dot: "local" permits "local" and every name below it. The
 * leading-dot form (".local") is an OpenSSL/NSS convention for "below it only"; verifiers that
 * follow RFC 5280 strictly (Go, some Android builds) read it differently, so it is not used.
 */
export const LOCAL_DOMAINS = ['local', 'lan', 'home.arpa'] as const;

/**
 * What the CA permits: `localhost`, the host name, the local domains above, and the private
 * address ranges. The host name is the one part that depends on the machine.
 */
export function machineConstraints(names: MachineNames): NameConstraints {
  const fixed: NameConstraints = { dnsNames: ['localhost', ...LOCAL_DOMAINS], ranges: [] };
  const host = machineDnsNames(names).names[0];
  // A host already under a fixed name ("box.lan", or "localhost" itself) needs no entry.
  const hostNames = host && !permitsDnsName(fixed, host) ? [host] : [];
  return { dnsNames: ['localhost', ...hostNames, ...LOCAL_DOMAINS], ranges: PRIVATE_RANGES };
}

/**
 * Why a CA's constraints are not the ones this version writes (an earlier version's, or another
 * program's), or undefined when they are: the fixed names and ranges, plus at most one host
 * name (the computer may have been renamed since; that alone does not replace the CA).
 */
export function constraintsProblem(constraints: NameConstraints): string | undefined {
  const ranges = constraints.ranges.map((range) => range.text);
  const wantedRanges = PRIVATE_RANGES.map((range) => range.text);
  const fixed = ['localhost', ...LOCAL_DOMAINS];
  const extra = constraints.dnsNames.filter((name) => !fixed.includes(name));
  const sameRanges =
    ranges.length === wantedRanges.length && wantedRanges.every((r) => ranges.includes(r));
  if (
    !sameRanges ||
    !fixed.every((name) => constraints.dnsNames.includes(name)) ||
    extra.length > 1 ||
    extra.some((name) => fixed.some((base) => name.endsWith(`.${base}`)))
  ) {
    return (
      'the local certificate authority was made by an earlier version of Mailport, with ' +
      `other name constraints (${[...constraints.dnsNames, ...ranges].join(', ')})`
    );
  }
  return undefined;
}

/** The extension's value, DER: permitted subtrees only, each a bare base name or range. */
export function nameConstraintsDer(constraints: NameConstraints): Buffer {
  const subtree = (tag: number, base: Uint8Array) =>
    encodeElement(TAG.sequence, encodeElement(contextTag(tag, false), base));
  const dns = constraints.dnsNames.map((name) => subtree(DNS_NAME, Buffer.from(name, 'latin1')));
  const ips = constraints.ranges.map((range) =>
    subtree(IP_ADDRESS, Buffer.concat([range.network, rangeMask(range)])),
  );
  const permitted = encodeElement(contextTag(PERMITTED, true), [...dns, ...ips]);
  return encodeElement(TAG.sequence, permitted);
}

/**
 * Reads the permitted dNSName and iPAddress subtrees from an extension value (DER). Anything
 * this module would not have written (excluded subtrees, other name forms, minimum/maximum)
 * makes it undefined: such a CA is not one of ours.
 */
export function nameConstraintsFromDer(der: Uint8Array): NameConstraints | undefined {
  try {
    const [permitted, ...rest] = childrenOf(readWhole(der, TAG.sequence));
    if (!permitted || rest.length > 0 || permitted.tag !== contextTag(PERMITTED, true))
      return undefined;
    const dnsNames: string[] = [];
    const ranges: AddressRange[] = [];
    for (const subtree of childrenOf(permitted)) {
      const [base, ...bounds] = childrenOf(subtree);
      if (!base || bounds.length > 0) return undefined;
      if (base.tag === contextTag(DNS_NAME, false)) dnsNames.push(textOf(base).toLowerCase());
      else if (base.tag === contextTag(IP_ADDRESS, false)) ranges.push(rangeFromOctets(base));
      else return undefined;
    }
    return { dnsNames, ranges };
  } catch {
    return undefined;
  }
}

function rangeFromOctets(base: DerElement): AddressRange {
  const bytes = base.contents;
  if (bytes.length !== 8 && bytes.length !== 32) throw new Error('Bad iPAddress constraint');
  const network = new Uint8Array(bytes.subarray(0, bytes.length / 2));
  const mask = bytes.subarray(bytes.length / 2);
  const prefixLength = [...mask].reduce((bits, octet) => bits + popcount(octet), 0);
  return { network, prefixLength, text: `${bytesToIp(network)}/${prefixLength}` };
}

function popcount(octet: number): number {
  let count = 0;
  for (let bit = octet; bit; bit >>= 1) count += bit & 1;
  return count;
}

/** RFC 5280 §4.2.1.10: a DNS constraint covers the name itself and every name below it. */
export function permitsDnsName(constraints: NameConstraints, name: string): boolean {
  const lower = name.toLowerCase();
  return constraints.dnsNames.some((base) => lower === base || lower.endsWith(`.${base}`));
}

export function permitsAddress(constraints: NameConstraints, address: string): boolean {
  const bytes = ipToBytes(address);
  return bytes !== undefined && constraints.ranges.some((range) => rangeContains(range, bytes));
}

/**
 * The names a leaf for `machine` should carry under a CA with `constraints`. Names the CA may
 * not certify are left out with a reason rather than put in a chain that phones would refuse:
 * a public address (the CA only covers private ranges), or a host name the CA was not made for
 * (the computer was renamed after the CA was created).
 */
export function wantedNames(machine: MachineNames, constraints: NameConstraints): WantedNames {
  const dns = machineDnsNames(machine);
  const omitted: OmittedName[] = [...dns.omitted];
  const dnsNames = dns.names.filter((name) => {
    if (permitsDnsName(constraints, name)) return true;
    omitted.push({ name, reason: renamedHostReason(name, constraints) });
    return false;
  });
  const ipAddresses = machineAddresses(machine).filter((address) => {
    if (permitsAddress(constraints, address)) return true;
    omitted.push({ name: address, reason: publicAddressReason(address, dnsNames) });
    return false;
  });
  return { dnsNames, ipAddresses, omitted };
}

function renamedHostReason(name: string, constraints: NameConstraints): string {
  return (
    `"${name}" is not one of the names the local certificate authority was made for ` +
    `(${constraints.dnsNames.join(', ')}), so the certificate leaves it out. Phones can connect ` +
    `by address; to use the new name, create a new local CA and install it on the phones again.`
  );
}

function publicAddressReason(address: string, dnsNames: readonly string[]): string {
  const mdns = dnsNames.find((name) => name.endsWith('.local'));
  return (
    `${address} is not a private address, so the certificate leaves it out: the local ` +
    `certificate authority may only vouch for private addresses, so that its key could never ` +
    `impersonate other sites. Phones should connect to ` +
    `${mdns ? `"${mdns}" or to ` : ''}a private address of this computer.`
  );
}
