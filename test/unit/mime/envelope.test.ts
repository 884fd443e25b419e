import { describe, expect, it } from 'vitest';
import { envelopeOf } from '../../../src-main/core/mime/envelope.js';
import { formatEnvelope } from '../../../src-main/core/imap/format/envelope.js';

const env = (header: string): string => formatEnvelope(envelopeOf(Buffer.from(header, 'latin1')));

// Expected strings captured from Dovecot 2.3.19 (FETCH ENVELOPE) for the same headers.
describe('ENVELOPE (RFC 3501 §7.4.2) as Dovecot writes it', () => {
  it.each([
    [
      'From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hello\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n',
      '("Mon, 1 Jan 2024 00:00:00 +0000" "hello" (("Alice" NIL "alice" "example.org")) (("Alice" NIL "alice" "example.org")) (("Alice" NIL "alice" "example.org")) ((NIL NIL "bob" "example.net")) NIL NIL NIL NIL)',
    ],
    ['Subject: no separator', '(NIL "no separator" NIL NIL NIL NIL NIL NIL NIL NIL)'],
    ['\r\n', '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)'],
    // RFC 2047 words stay encoded; whitespace runs collapse into a literal
    [
      'Subject:   =?UTF-8?B?SsO8cmdlbg==?=  with  "quotes"\r\n\r\n',
      '(NIL {38}\r\n=?UTF-8?B?SsO8cmdlbg==?= with "quotes" NIL NIL NIL NIL NIL NIL NIL NIL)',
    ],
    // folded values: Date/Message-ID lose line ends, Subject is collapsed
    [
      'Subject: a\r\n  very\r\n\tlong\r\nDate: x\r\n y\r\nMessage-ID: <a@b>\r\nMessage-ID: <c@d>\r\nFrom: a@b\r\nFrom: c@d\r\n\r\n',
      '("x y" {11}\r\na very long ((NIL NIL "a" "b")(NIL NIL "c" "d")) ((NIL NIL "a" "b")(NIL NIL "c" "d")) ((NIL NIL "a" "b")(NIL NIL "c" "d")) NIL NIL NIL NIL "<c@d>")',
    ],
    // 8-bit octets force literals
    [
      'Subject: \xe9t\xe9\r\nFrom: \xe9 <a@b>\r\n\r\n',
      '(NIL {3}\r\n\xe9t\xe9 (({1}\r\n\xe9 NIL "a" "b")) (({1}\r\n\xe9 NIL "a" "b")) (({1}\r\n\xe9 NIL "a" "b")) NIL NIL NIL NIL NIL)',
    ],
    // a NUL in a field name ends the name (C strings)
    ['Date\0: x\r\n\r\n', '("x" NIL NIL NIL NIL NIL NIL NIL NIL NIL)'],
    // sender and reply-to of their own
    [
      'From: a@b\r\nSender: s@b\r\nReply-To: r@b\r\nCc: c@b\r\nBcc: d@b\r\nIn-Reply-To: <x@y>\r\n\r\n',
      '(NIL NIL ((NIL NIL "a" "b")) ((NIL NIL "s" "b")) ((NIL NIL "r" "b")) NIL ((NIL NIL "c" "b")) ((NIL NIL "d" "b")) "<x@y>" NIL)',
    ],
  ])('%j', (header, expected) => {
    expect(env(header)).toBe(expected);
  });
});
