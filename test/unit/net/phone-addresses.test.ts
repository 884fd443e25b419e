import { describe, expect, it } from 'vitest';
import { announcesHostName, AVAHI_SOCKETS } from '../../../src-main/core/net/mdns.js';
import {
  LOOPBACK_ONLY,
  phoneAddresses,
  type PhoneAddressInput,
} from '../../../src-main/core/net/phone-addresses.js';

const base: PhoneAddressInput = {
  bindAddress: 'all',
  lanAddresses: ['192.168.1.20', 'fd00::20'],
  hostName: 'Box',
  announcesName: true,
  certificate: {
    ipAddresses: ['192.168.1.20', 'fd00:0:0:0:0:0:0:20'],
    dnsNames: ['box', 'box.local'],
  },
  imported: false,
  certificateCheckMinutes: 10,
};

describe('phoneAddresses', () => {
  it('lists the LAN addresses the certificate names, then <host>.local', () => {
    expect(phoneAddresses(base)).toEqual({
      reachable: true,
      addresses: ['192.168.1.20', 'fd00::20', 'box.local'],
      notes: [],
    });
  });

  it('offers nothing on loopback and says how to let phones in', () => {
    const result = phoneAddresses({ ...base, bindAddress: 'loopback' });
    expect(result).toEqual({ reachable: false, addresses: [], notes: [LOOPBACK_ONLY] });
    expect(result.notes[0]).toContain('bind.address all');
    expect(phoneAddresses({ ...base, bindAddress: '127.0.0.1' }).reachable).toBe(false);
  });

  it('refuses a bind address that is not on the network now', () => {
    const result = phoneAddresses({ ...base, bindAddress: '10.9.9.9' });
    expect(result.reachable).toBe(false);
    expect(result.notes[0]).toMatch(/10\.9\.9\.9, which is not an address/);
  });

  it('listens on one LAN address: offers only that one', () => {
    expect(phoneAddresses({ ...base, bindAddress: '192.168.1.20' }).addresses).toEqual([
      '192.168.1.20',
      'box.local',
    ]);
  });

  it('leaves out an address the certificate does not name yet, and says when it will', () => {
    const result = phoneAddresses({ ...base, lanAddresses: ['192.168.1.20', '192.168.5.7'] });
    expect(result.addresses).toEqual(['192.168.1.20', 'box.local']);
    expect(result.notes).toEqual([
      '192.168.5.7 is left out: the certificate does not name it yet. Mailport re-issues the certificate for new addresses within 10 minutes.',
    ]);
  });

  it('says an imported certificate will not cover a missing address by itself', () => {
    const result = phoneAddresses({ ...base, imported: true, lanAddresses: ['192.168.5.7'] });
    expect(result.addresses).toEqual(['box.local']);
    expect(result.notes[0]).toMatch(/your certificate does not name it/);
  });

  it('does not recommend <host>.local when nothing announces it, and says why', () => {
    const result = phoneAddresses({ ...base, announcesName: false });
    expect(result.addresses).toEqual(['192.168.1.20', 'fd00::20']);
    expect(result.notes).toEqual([
      'box.local is not offered: this computer does not announce its name on the network (no Avahi); use the address.',
    ]);
  });

  it('says when there is no network at all', () => {
    const result = phoneAddresses({ ...base, lanAddresses: [] });
    expect(result.reachable).toBe(false);
    expect(result.notes[0]).toMatch(/no network address/);
  });
});

describe('announcesHostName', () => {
  it('is true on macOS and Windows, and on Linux while Avahi runs', () => {
    const none = (): boolean => false;
    expect(announcesHostName({ platform: 'darwin', exists: none })).toBe(true);
    expect(announcesHostName({ platform: 'win32', exists: none })).toBe(true);
    expect(announcesHostName({ platform: 'linux', exists: none })).toBe(false);
    for (const socket of AVAHI_SOCKETS)
      expect(announcesHostName({ platform: 'linux', exists: (p) => p === socket })).toBe(true);
  });
});
