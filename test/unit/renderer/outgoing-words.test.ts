/**
 * The window's pure parts for sending (issue 18): the relay form's checks, the port that
 * follows the security, the setRelay arguments (a password only when one is typed), and what
 * an account may send as when its list of senders is empty.
 */
import { describe, expect, it } from 'vitest';
import { allowedSenders as coreAllowedSenders } from '../../../src-main/core/submission/senders.js';
import {
  checkRelay,
  portForSecurity,
  relayArgs,
  type RelayFields,
} from '../../../src-renderer/src/lib/relay.js';
import {
  allowedSenders,
  emptySendersWords,
  senderInputError,
} from '../../../src-renderer/src/lib/senders.js';

const typed = (change: Partial<RelayFields> = {}): RelayFields => ({
  host: 'smtp.example.org',
  port: '465',
  security: 'tls',
  username: 'me@example.org',
  password: '',
  saveToSent: true,
  ...change,
});

describe('relay form checks', () => {
  it('accepts a host and a port', () => {
    expect(checkRelay(typed())).toEqual({ host: null, port: null });
  });

  it.each(['', '0', '65536', '46 5', 'smtp'])(
    'refuses the port %j, naming the usual one',
    (port) => {
      expect(checkRelay(typed({ port, security: 'starttls' })).port).toMatch(/usually 587/);
    },
  );

  it('asks for a host when there is none', () => {
    expect(checkRelay(typed({ host: '  ' })).host).toMatch(/outgoing server/);
  });
});

describe('port follows the security', () => {
  it.each([
    ['465', 'starttls', '587'],
    ['587', 'tls', '465'],
    ['', 'tls', '465'],
    ['2525', 'starttls', '2525'],
  ] as const)('%j switched to %s gives %j', (port, security, expected) => {
    expect(portForSecurity(port, security)).toBe(expected);
  });
});

describe('setRelay arguments', () => {
  it('sends a typed password, trimmed host and user name, and the port as a number', () => {
    expect(
      relayArgs(typed({ host: ' smtp.example.org ', username: ' me ', password: ' pw ' }), true),
    ).toEqual({
      host: 'smtp.example.org',
      port: 465,
      security: 'tls',
      username: 'me',
      saveToSent: true,
      password: ' pw ',
    });
  });

  it('keeps the saved password: nothing when the field is closed or left empty', () => {
    expect(relayArgs(typed({ password: 'typed then closed' }), false)).not.toHaveProperty(
      'password',
    );
    expect(relayArgs(typed({ password: '' }), true)).not.toHaveProperty('password');
  });
});

describe('senders', () => {
  it.each([
    ['me@example.org', [], ['me@example.org']],
    ['tester', [], []],
    ['me@example.org', ['other@example.org'], ['other@example.org']],
  ])('account %s with %j may send as %j, as the core decides', (name, senders, expected) => {
    expect(allowedSenders({ name, senders })).toEqual(expected);
    expect(coreAllowedSenders({ name, maildir: '/m', passwordHash: 'scrypt$x', senders })).toEqual(
      expected,
    );
  });

  it('says what an empty list allows', () => {
    expect(emptySendersWords('me@example.org')).toMatch(/may send only as me@example.org/);
    expect(emptySendersWords('tester')).toMatch(/cannot send until you add/);
  });

  it('refuses only an empty field itself; the rest is for Mailport to judge', () => {
    expect(senderInputError('  ')).toMatch(/Enter the address/);
    expect(senderInputError('not an address')).toBeNull();
  });
});
