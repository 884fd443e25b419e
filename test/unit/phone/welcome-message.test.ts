/** The welcome mail of the first run names only addresses a phone can use, and says why not others. */
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src-main/core/config/schema.js';
import { welcomeMessage } from '../../../src-main/core/first-run.js';
import { phoneAddresses } from '../../../src-main/core/net/phone-addresses.js';

const NOW = new Date('2026-01-02T03:04:05Z');
const text = (phone: ReturnType<typeof phoneAddresses>): string =>
  welcomeMessage('alice', defaultSettings(), phone, NOW).toString('utf8');
const input = {
  bindAddress: 'all',
  lanAddresses: ['fd00::20', '192.168.1.20', '192.168.5.7'],
  hostName: 'box',
  announcesName: false,
  certificate: { ipAddresses: ['192.168.1.20', 'fd00::20'], dnsNames: ['box', 'box.local'] },
  imported: false,
  certificateCheckMinutes: 10,
};

describe('welcomeMessage', () => {
  it('names an IPv4 address the certificate covers, the others, and why some are left out', () => {
    const mail = text(phoneAddresses(input));
    expect(mail).toContain('Server:         192.168.1.20\n');
    expect(mail).toContain('The server can also be fd00::20.');
    expect(mail).toContain('192.168.5.7 is left out: the certificate does not name it yet.');
    expect(mail).toContain('box.local is not offered: this computer does not announce its name');
  });

  it('on loopback says phones cannot connect and how to fix it, with no address', () => {
    const mail = text(phoneAddresses({ ...input, bindAddress: 'loopback' }));
    expect(mail).toContain("Server:         this computer's network address (see below)");
    expect(mail).toContain('Phones cannot connect: Mailport answers this computer only');
    expect(mail).toContain('mailport config set bind.address all');
    expect(mail).not.toMatch(/127\.0\.0\.1|box\.local/);
  });
});
