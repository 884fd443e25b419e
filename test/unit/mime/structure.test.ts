import { describe, expect, it } from 'vitest';
import { findPart, MAX_MIME_DEPTH, parseMessage } from '../../../src-main/core/mime/structure.js';
import { envelopeOf } from '../../../src-main/core/mime/envelope.js';
import { headerFields } from '../../../src-main/core/mime/header-fields.js';
import { decodeWords, containsText } from '../../../src-main/core/mime/search-text.js';
import { formatBodyStructure } from '../../../src-main/core/imap/format/bodystructure.js';
import { formatEnvelope } from '../../../src-main/core/imap/format/envelope.js';
import { rng } from '../../helpers/corpus.js';

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1');

describe('MIME structure', () => {
  const msg = crlf(
    'Content-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: text/plain\n\nhello\n--X\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n--X--\n',
  );

  it('finds parts by RFC 3501 section numbers, stepping into attached messages', () => {
    const root = parseMessage(msg);
    const text = (path: number[]) => {
      const p = findPart(root, path)!;
      return msg.toString('latin1', p.bodyStart, p.bodyEnd);
    };
    expect(root.children).toHaveLength(2);
    expect(text([1])).toBe('hello');
    expect(text([2])).toBe('Subject: inner\r\n\r\ninner body');
    expect(text([2, 1])).toBe('inner body');
    expect(findPart(root, [3])).toBeUndefined();
    expect(findPart(root, [1, 2])).toBeUndefined();
  });

  it('formats BODYSTRUCTURE with defaults (RFC 3501 §7.4.2)', () => {
    expect(formatBodyStructure(parseMessage(crlf('Subject: x\n\nab\ncd\n')), true)).toBe(
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 8 2 NIL NIL NIL NIL)',
    );
  });

  it('builds ENVELOPE with Sender and Reply-To falling back to From, groups and placeholders', () => {
    const env = envelopeOf(
      crlf('From: "A, B" <a@b.c>\nTo: team: x@y.z;, no-domain\nSubject: "q"\n\n'),
    );
    expect(formatEnvelope(env)).toBe(
      '(NIL {3}\r\n"q" (("A, B" NIL "a" "b.c")) (("A, B" NIL "a" "b.c")) (("A, B" NIL "a" "b.c")) ((NIL NIL "team" NIL)(NIL NIL "x" "y.z")(NIL NIL NIL NIL)(NIL NIL "no-domain" "MISSING_DOMAIN")) NIL NIL NIL NIL)',
    );
  });

  it('cuts HEADER.FIELDS with continuation lines', () => {
    const header = crlf('Subject: a\n b\nFrom: x\nTo: y\n\n');
    expect(headerFields(header, ['subject', 'TO'], false).toString()).toBe(
      'Subject: a\r\n b\r\nTo: y\r\n\r\n',
    );
    expect(headerFields(header, ['subject'], true).toString()).toBe('From: x\r\nTo: y\r\n\r\n');
  });

  it('decodes RFC 2047 words in several charsets and matches case-insensitively', () => {
    expect(decodeWords('=?UTF-8?B?w5xiZXI=?= =?ISO-8859-1?Q?caf=E9?= x')).toBe('Übercafé x');
    expect(containsText('ÜBER alles', 'über')).toBe(true);
  });
});

describe('MIME parser on hostile input', () => {
  it('never throws on random bytes', () => {
    const random = rng(5);
    for (let n = 0; n < 200; n++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(random() * 2000) }, () => Math.floor(random() * 256)),
      );
      const root = parseMessage(bytes);
      expect(root.bodyEnd).toBe(bytes.length);
      formatBodyStructure(root, true);
    }
  });

  it('bounds nesting: 10,000 nested multiparts parse quickly', () => {
    let body = 'leaf\n';
    for (let i = 0; i < 10_000; i++)
      body = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${body}--b${i}--\n`;
    const started = Date.now();
    const root = parseMessage(crlf(body));
    let depth = 0;
    for (let p = root; p.children[0]; p = p.children[0]) depth++;
    expect(depth).toBeLessThanOrEqual(MAX_MIME_DEPTH);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('copes with a 1 MB header line and an unterminated multipart', () => {
    const long = crlf(`Subject: ${'x'.repeat(1_000_000)}\n\nbody`);
    expect(envelopeOf(long).subject!.length).toBe(1_000_000);
    const open = parseMessage(
      crlf('Content-Type: multipart/mixed; boundary=q\n\n--q\n\nnever closed'),
    );
    expect(open.children).toHaveLength(1);
  });
});
