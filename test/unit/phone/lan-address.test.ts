/** Which address the phone setup link names. */
import { describe, expect, it } from 'vitest';
import { chooseLanAddress } from '../../../src-main/core/phone/open.js';
import { unmapped } from '../../../src-main/core/phone/setup-page-server.js';

describe('the link address', () => {
  it('prefers an IPv4 address the certificate names, then any IPv4, then IPv6', () => {
    expect(chooseLanAddress(['fd00::2', '203.0.113.9', '192.168.1.5'], ['192.168.1.5'])).toBe(
      '192.168.1.5',
    );
    expect(chooseLanAddress(['fd00::2', '10.0.0.7'], [])).toBe('10.0.0.7');
    expect(chooseLanAddress(['fd00::2'], [])).toBe('fd00::2');
    expect(chooseLanAddress([], [])).toMatch(/\.local$/);
  });

  it('names an IPv4 peer as IPv4 even on a dual-stack socket', () => {
    expect(unmapped('::ffff:10.231.4.1')).toBe('10.231.4.1');
    expect(unmapped('fd00::1')).toBe('fd00::1');
  });
});
