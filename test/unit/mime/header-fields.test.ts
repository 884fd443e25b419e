import { describe, expect, it } from 'vitest';
import { headerFields } from '../../../src-main/core/mime/header-fields.js';

const hf = (h: string, names: string[], not = false): string =>
  headerFields(Buffer.from(h, 'latin1'), names, not).toString('latin1');

// Expected values captured from Dovecot 2.3.19 (BODY.PEEK[HEADER.FIELDS (…)]).
describe('HEADER.FIELDS and HEADER.FIELDS.NOT', () => {
  it.each([
    [
      'From: a\r\nX: 1\r\nsubject : s\r\n\r\n',
      ['FROM', 'SUBJECT'],
      false,
      'From: a\r\nsubject : s\r\n\r\n',
    ],
    ['From: a\r\n b\r\nX: 1\r\n\r\n', ['from'], false, 'From: a\r\n b\r\n\r\n'],
    ['From: a\r\nX: 1\r\n\r\n', ['FROM'], true, 'X: 1\r\n\r\n'],
    ['Subject: no separator', ['SUBJECT'], false, 'Subject: no separator\r\n'],
    ['Subject: x\r\nX-Foo: y', ['SUBJECT'], false, 'Subject: x\r\n\r\n'],
    ['X: 1\r\n\r\n', ['FROM'], false, '\r\n'],
    ['From: a\r\r\n\r\n', ['FROM'], false, 'From: a\r\n\r\n'],
    ['From: a;\r', ['FROM'], false, 'From: a;\r\n'],
    ['Date\0: x\r\n\r\n', ['DATE'], false, 'Date\0: x\r\n\r\n'],
  ])('%j %j not=%s', (header, names, not, expected) => {
    expect(hf(header, names, not)).toBe(expected);
  });
});
