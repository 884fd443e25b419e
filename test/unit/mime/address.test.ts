import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../../src-main/core/mime/address.js';

const a = (
  name: string | null,
  mailbox: string | null,
  domain: string | null,
  route: string | null = null,
) => ({
  name,
  route,
  mailbox,
  domain,
});

// Expected values captured from Dovecot 2.3.19's ENVELOPE for the same header values.
describe('address lists (RFC 5322 §3.4) as Dovecot parses them', () => {
  it.each([
    ['Alice <alice@example.org>', [a('Alice', 'alice', 'example.org')]],
    ['bob@example.net', [a(null, 'bob', 'example.net')]],
    ['"Smith, John" <john@example.com>', [a('Smith, John', 'john', 'example.com')]],
    ['carol@example.org (Carol C)', [a('Carol C', 'carol', 'example.org')]],
    ['(comment) x@y', [a(null, 'x', 'y')]],
    ['=?UTF-8?B?SsO8cmdlbg==?= <j@x>', [a('=?UTF-8?B?SsO8cmdlbg==?=', 'j', 'x')]],
    ['a b c', [a('a b c', 'MISSING_MAILBOX', 'MISSING_DOMAIN')]],
    ['user', [a(null, 'user', 'MISSING_DOMAIN')]],
    ['<>', [a(null, 'MISSING_MAILBOX', 'MISSING_DOMAIN')]],
    ['@nodomain', [a(null, 'MISSING_MAILBOX', 'nodomain')]],
    ['Routed <@bad.route x@example.org>', [a('Routed', 'x', 'example.org', 'INVALID_ROUTE')]],
    ['<@r1,@r2:u@d>', [a(null, 'u', 'd', '@r1,@r2')]],
    ['user@[192.0.2.1]', [a(null, 'user', '[192.0.2.1]')]],
    ['"quoted local"@x', [a(null, 'quoted local', 'x')]],
    ['"A \\"nick\\" B" <n@x>', [a('A "nick" B', 'n', 'x')]],
    [
      'Team: d@x, "Eve" <e@x>;',
      [a(null, 'Team', null), a(null, 'd', 'x'), a('Eve', 'e', 'x'), a(null, null, null)],
    ],
    ['undisclosed-recipients:;', [a(null, 'undisclosed-recipients', null), a(null, null, null)]],
    ['', null],
    ['   (only a comment)', null],
  ])('%j', (value, expected) => {
    expect(parseAddressList(value)).toEqual(expected);
  });

  it('never throws on garbage', () => {
    for (const s of [
      '<',
      '"',
      '(',
      '\\',
      '@',
      ':;',
      ',,,',
      '<@',
      'a<b',
      '"a\\',
      '[',
      'x@[',
      'g: <a@b',
      '\0\xff',
    ]) {
      expect(() => parseAddressList(s)).not.toThrow();
    }
  });
});
