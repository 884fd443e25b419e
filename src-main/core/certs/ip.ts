/**
 * IP addresses as certificates carry them: the octets of an iPAddress GeneralName
 * (RFC 5280 §4.2.1.6), and the address-plus-mask form of a name constraint (§4.2.1.10).
 */
import { isIP } from 'node:net';

/** A block of addresses, as written in RFCs: `192.168.0.0/16`. */
export interface AddressRange {
  readonly network: Uint8Array;
  readonly prefixLength: number;
  readonly text: string;
}

/** The octets of an IPv4 (4) or IPv6 (16) address, or undefined if `text` is not one. */
export function ipToBytes(text: string): Uint8Array | undefined {
  const address = text.replace(/%.*$/, ''); // an IPv6 zone (fe80::1%eth0) is not part of it
  const family = isIP(address);
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  if (family === 6) return ipv6ToBytes(address);
  return undefined;
}

function ipv6ToBytes(address: string): Uint8Array {
  // An IPv4 tail (::ffff:192.0.2.1) is two more 16-bit groups.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    [(+a << 8) | +b, (+c << 8) | +d].map((w) => w.toString(16)).join(':'),
  );
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = new Array<number>(8 - left.length - right.length).fill(0);
  const bytes = new Uint8Array(16);
  [...left, ...zeros, ...right].forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** The canonical text of an address: dotted IPv4, or IPv6 as RFC 5952 §4 writes it. */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) throw new Error(`An IP address has 4 or 16 octets, not ${bytes.length}`);
  const words = Array.from(
    { length: 8 },
    (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0),
  );
  // The longest run of two or more zero words becomes "::" (the first, on a tie).
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.start < 0) return hex.join(':');
  const before = hex.slice(0, best.start).join(':');
  const after = hex.slice(best.start + best.length).join(':');
  return `${before}::${after}`;
}

/** The canonical text of `text`, or undefined if it is not an IP address. */
export function canonicalIp(text: string): string | undefined {
  const bytes = ipToBytes(text);
  return bytes && bytesToIp(bytes);
}

export function parseRange(text: string): AddressRange {
  const [address = '', length = ''] = text.split('/');
  const network = ipToBytes(address);
  const prefixLength = Number(length);
  if (!network || !Number.isInteger(prefixLength) || prefixLength > network.length * 8) {
    throw new Error(`Not an address range: ${text}`);
  }
  return { network, prefixLength, text };
}

/** The mask of a range, as many octets as its address (`ffff0000` for a /16 IPv4 range). */
export function rangeMask(range: AddressRange): Uint8Array {
  return range.network.map((_, i) => {
    const bits = Math.min(8, Math.max(0, range.prefixLength - 8 * i));
    return (0xff00 >> bits) & 0xff;
  });
}

export function rangeContains(range: AddressRange, address: Uint8Array): boolean {
  if (address.length !== range.network.length) return false;
  const mask = rangeMask(range);
  return address.every((octet, i) => (octet & mask[i]!) === (range.network[i]! & mask[i]!));
}
