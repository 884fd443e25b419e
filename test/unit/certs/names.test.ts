import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src-main/core/certs/ip.js';
import {
  constraintsProblem,
  machineConstraints,
  nameConstraintsFromDer,
  nameConstraintsDer,
  permitsAddress,
  permitsDnsName,
  wantedNames,
} from '../../../src-main/core/certs/name-constraints.js';
import {
  currentMachineNames,
  dnsName,
  isPrivateAddress,
  machineDnsNames,
} from '../../../src-main/core/certs/names.js';
import forge from 'node-forge';
import type { ParsedCertificate } from '../../../src-main/core/certs/inspect.js';
import { covers, phoneNames } from '../../../src-main/core/certs/warnings.js';

const PRIVATE = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];
const der = (value: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(value).getBytes(), 'binary');

describe('host names', () => {
  it.each([
    ['Mailbox', 'mailbox'],
    ['mailbox.', 'mailbox'],
    ['Jöns-Mac', 'xn--jns-mac-90a'],
    ['a-b.example', 'a-b.example'],
    ['my_box', undefined],
    ['-box', undefined],
    ['box-', undefined],
    ['192.168.1.1', undefined],
    ['', undefined],
    ['a'.repeat(64), undefined],
  ])('%j is %j in a certificate', (text, name) => {
    expect(dnsName(text)).toBe(name);
  });

  it('gives the host, its mDNS name and localhost, once each', () => {
    expect(machineDnsNames({ hostName: 'box.local', addresses: [] }).names).toEqual([
      'box',
      'box.local',
      'localhost',
    ]);
    expect(machineDnsNames({ hostName: 'localhost', addresses: [] }).names).toEqual([
      'localhost',
      'localhost.local',
    ]);
  });

  it('reads this computer’s names', () => {
    const names = currentMachineNames();
    expect(names.hostName).not.toBe('');
    expect(names.addresses.every((a) => !a.startsWith('127.'))).toBe(true);
  });
});

describe('name constraints', () => {
  const constraints = machineConstraints({ hostName: 'box', addresses: [] });

  it('reads back what it writes', () => {
    const back = nameConstraintsFromDer(nameConstraintsDer(constraints));
    expect(back?.dnsNames).toEqual(['localhost', 'box', 'local', 'lan', 'home.arpa']);
    expect(back?.ranges.map((r) => r.text)).toEqual([
      '127.0.0.0/8',
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '169.254.0.0/16',
      '::1/128',
      'fc00::/7',
      'fe80::/10',
    ]);
  });

  it('refuses values it would not have written', () => {
    expect(nameConstraintsFromDer(Buffer.from('not der'))).toBeUndefined();
    const { asn1 } = forge;
    const excluded = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1 as forge.asn1.Type, true, []),
    ]);
    expect(nameConstraintsFromDer(der(excluded))).toBeUndefined();
  });

  it.each([
    ['box', true],
    ['BOX.local', true],
    ['imap.box.local', true],
    ['localhost', true],
    ['a.localhost', true],
    ['evil-localhost', false],
    ['localhost.example.com', false],
    ['box.example', false],
    ['example.com', false],
    ['printer.lan', true],
    ['lan', true],
    ['nas.home.arpa', true],
    ['home.arpa.example.com', false],
    ['evil-home.arpa', false],
    ['arpa', false],
    ['other.local', true],
    ['evillocal', false],
    ['local.example.com', false],
  ])('DNS name %s permitted: %s (RFC 5280 §4.2.1.10)', (name, permitted) => {
    expect(permitsDnsName(constraints, name)).toBe(permitted);
  });

  it.each([
    ['127.0.0.1', true],
    ['10.255.0.1', true],
    ['172.31.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.20', true],
    ['169.254.3.4', true],
    ['100.64.0.1', false],
    ['8.8.8.8', false],
    ['::1', true],
    ['fd12::1', true],
    ['fe80::1', true],
    ['2001:db8::1', false],
    ['::ffff:192.168.1.1', false],
  ])('address %s permitted: %s', (address, permitted) => {
    expect(permitsAddress(constraints, address)).toBe(permitted);
    expect(isPrivateAddress(address)).toBe(permitted);
  });

  it('needs no host entry for a host already under a local domain', () => {
    expect(machineConstraints({ hostName: 'nas.lan', addresses: [] }).dnsNames).toEqual([
      'localhost',
      'local',
      'lan',
      'home.arpa',
    ]);
    expect(machineConstraints({ hostName: 'localhost', addresses: [] }).dnsNames).toEqual([
      'localhost',
      'local',
      'lan',
      'home.arpa',
    ]);
  });

  it.each<[string, string[], string[]]>([
    ['this version', ['localhost', 'box', 'local', 'lan', 'home.arpa'], PRIVATE],
    [
      'this version, made under another host name',
      ['localhost', 'old', 'local', 'lan', 'home.arpa'],
      PRIVATE,
    ],
    ['the earlier host-only version', ['box', 'box.local', 'localhost'], PRIVATE],
    ['one with two host names', ['localhost', 'a', 'b', 'local', 'lan', 'home.arpa'], PRIVATE],
    [
      'one without IPv6 ranges',
      ['localhost', 'box', 'local', 'lan', 'home.arpa'],
      PRIVATE.slice(0, 5),
    ],
    [
      'one with a public range',
      ['localhost', 'local', 'lan', 'home.arpa'],
      [...PRIVATE, '8.8.8.0/24'],
    ],
  ])('judges the constraints of %s', (what, dnsNames, ranges) => {
    const problem = constraintsProblem({ dnsNames, ranges: ranges.map(parseRange) });
    if (what.startsWith('this version')) expect(problem).toBeUndefined();
    else expect(problem).toMatch(/^the local certificate authority was made by an earlier version/);
  });

  it('leaves names the CA cannot vouch for out of the leaf, saying why', () => {
    const wanted = wantedNames(
      { hostName: 'box', addresses: ['192.168.1.20', '192.168.1.20', '198.51.100.1', 'junk'] },
      constraints,
    );
    expect(wanted.dnsNames).toEqual(['box', 'box.local', 'localhost']);
    expect(wanted.ipAddresses).toEqual(['127.0.0.1', '::1', '192.168.1.20']);
    expect(wanted.omitted).toEqual([
      { name: '198.51.100.1', reason: expect.stringContaining('connect to "box.local"') },
    ]);
  });
});

describe('which names a certificate covers (RFC 6125 §6.4)', () => {
  const leaf = {
    dnsNames: ['mail.example.test', '*.home.example.test'],
    ipAddresses: ['192.168.1.20', 'fd00::20'],
  } as unknown as ParsedCertificate;

  it.each([
    ['mail.example.test', true],
    ['MAIL.example.test', true],
    ['box.home.example.test', true],
    ['a.box.home.example.test', false],
    ['home.example.test', false],
    ['192.168.1.20', true],
    ['fd00:0::20', true],
    ['192.168.1.21', false],
  ])('%s: %s', (name, covered) => {
    expect(covers(leaf, name)).toBe(covered);
  });

  it('lists the names phones use: host, .local and LAN addresses, not loopback', () => {
    expect(phoneNames({ hostName: 'box', addresses: ['192.168.1.20', 'fe80::1'] })).toEqual([
      'box',
      'box.local',
      '192.168.1.20',
      'fe80::1',
    ]);
  });
});
