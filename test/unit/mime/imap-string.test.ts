import { describe, expect, it } from 'vitest';
import {
  astring,
  imapString,
  nstring,
  nstringNoLf,
  quoted,
  stringForHumans,
} from '../../../src-main/core/imap/format/imap-string.js';

describe('IMAP strings as Dovecot writes them', () => {
  it.each([
    [null, 'NIL'],
    ['', '""'],
    ['plain', '"plain"'],
    ['a "b" \\c', '"a \\"b\\" \\\\c"'],
    ['"""""', '{5}\r\n"""""'], // the fifth quoted-special switches to a literal
    ['caf\xe9', '{4}\r\ncaf\xe9'],
    ['two\r\nlines', '{10}\r\ntwo\r\nlines'],
  ])('nstring(%j) = %j', (input, expected) => {
    expect(nstring(input)).toBe(expected);
  });

  it('quoted drops what a quoted string cannot carry', () => {
    expect(quoted('a\r\nb\xe9"')).toBe('"ab\\""');
  });

  it.each([
    ['<a@b>', '"<a@b>"'],
    ['a\n b', '"a b"'],
    ['a\nb', '"a b"'],
    ['a\r\n\tb', '"a\tb"'],
  ])('nstringNoLf(%j) = %j', (input, expected) => {
    expect(nstringNoLf(input)).toBe(expected);
  });

  it.each([
    ['Hello', '"Hello"'],
    ['', '""'],
    ['   ', '""'],
    [' lead', '{4}\r\nlead'],
    ['trail ', '{5}\r\ntrail'],
    ['tab\there', '{8}\r\ntab here'],
    ['a\n  b', '{3}\r\na b'],
    ['say "hi"', '{8}\r\nsay "hi"'],
    ['nul\0x', '{5}\r\nnul\x80x'],
    ['Gr\xc3\xbc\xc3\x9fe', '{7}\r\nGr\xc3\xbc\xc3\x9fe'],
  ])('stringForHumans(%j) = %j', (input, expected) => {
    expect(stringForHumans(input)).toBe(expected);
  });

  it('astring uses atoms only where safe', () => {
    expect(astring('INBOX')).toBe('INBOX');
    expect(astring('a]b')).toBe('a]b');
    expect(astring('NIL')).toBe('"NIL"');
    expect(astring('two words')).toBe('"two words"');
    expect(astring('')).toBe('""');
  });

  it('imapString encodes Unicode text as UTF-8', () => {
    expect(imapString('über')).toBe('{5}\r\n\xc3\xbcber');
    expect(imapString(null)).toBe('NIL');
  });
});
