import { describe, expect, it } from 'vitest';
import {
  bytesToIp,
  canonicalIp,
  ipToBytes,
  parseRange,
  rangeContains,
  rangeMask,
} from '../../../src-main/core/certs/ip.js';

const hex = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : bytes);

describe('IP addresses in certificates', () => {
  it.each([
    ['10.0.0.1', '0a000001'],
    ['::1', '00000000000000000000000000000001'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['2001:DB8::', '20010db8000000000000000000000000'],
  ])('reads %s as octets', (text, octets) => {
    expect(hex(ipToBytes(text))).toBe(octets);
  });

  it.each(['', 'localhost', '1.2.3', '256.0.0.1', '1::2::3', '::g'])('refuses %j', (text) => {
    expect(ipToBytes(text)).toBeUndefined();
  });

  it.each([
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::', '::'],
    ['1::', '1::'],
    ['2001:0DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['192.168.001.2', undefined],
  ])('writes %s as %s (RFC 5952)', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
  });

  it('refuses octet strings of the wrong length', () => {
    expect(() => bytesToIp(new Uint8Array(5))).toThrow(/4 or 16 octets/);
  });

  it('masks and matches ranges', () => {
    expect(hex(rangeMask(parseRange('172.16.0.0/12')))).toBe('fff00000');
    expect(hex(rangeMask(parseRange('fe80::/10')))).toBe('ffc00000000000000000000000000000');
    const range = parseRange('172.16.0.0/12');
    expect(rangeContains(range, ipToBytes('172.31.255.1')!)).toBe(true);
    expect(rangeContains(range, ipToBytes('172.32.0.1')!)).toBe(false);
    expect(rangeContains(range, ipToBytes('::ffff:172.16.0.1')!)).toBe(false);
    expect(() => parseRange('10.0.0.0/33')).toThrow(/Not an address range/);
  });
});
