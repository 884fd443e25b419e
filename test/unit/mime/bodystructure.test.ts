import { describe, expect, it } from 'vitest';
import { findPart, parseMessage } from '../../../src-main/core/mime/structure.js';
import { formatBodyStructure } from '../../../src-main/core/imap/format/bodystructure.js';

const wire = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');
const bs = (s: string, extended = true): string =>
  formatBodyStructure(parseMessage(wire(s)), extended);

// Expected strings captured from Dovecot 2.3.19 (FETCH BODYSTRUCTURE / BODY) for the same files.
describe('BODYSTRUCTURE (RFC 3501 §7.4.2) as Dovecot writes it', () => {
  it.each([
    [
      'Subject: x\n\nbody\n',
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL)',
    ],
    [
      'Subject: no separator',
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)',
    ],
    ['', '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)'],
    // Content-* without MIME-Version or Content-Type are ignored
    [
      'Content-Transfer-Encoding: base64\nContent-Disposition: inline\n\nx\n',
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL)',
    ],
    // a broken Content-Type keeps its main type, no parameters, no line count
    [
      'Content-Transfer-Encoding: base64\nContent-Type: garbage\n\nx\n',
      '("garbage" "" NIL NIL NIL "base64" 3 NIL NIL NIL NIL)',
    ],
    // plain 7-bit US-ASCII is reported from Dovecot's fixed template
    [
      'MIME-Version: 1.0\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\nContent-Transfer-Encoding: 7BIT\n\nx\n',
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL)',
    ],
    [
      'Content-Type: multipart/mixed\n\nno boundary\n',
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" NIL NIL NIL NIL)',
    ],
    [
      'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b1\n\npre\n--b1\nContent-Type: text/plain\n\nA\n--b1\nContent-Type: message/rfc822\n\nFrom: x@y\nSubject: inner\n\ninner body\n--b1\n\n--b1--\nepi\n',
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 39 (NIL "inner" ((NIL NIL "x" "y")) ((NIL NIL "x" "y")) ((NIL NIL "x" "y")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL)',
    ],
    // a boundary line inside a part's header ends it; an unterminated multipart ends at EOF
    [
      'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n--b\nContent-Type: text/html\n\n--b\n\n\n--b--',
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL)',
    ],
    // RFC 2231: continuations joined, extended values kept encoded under "name*"; a bare
    // "b*" after "a*2" keeps index 2, as Dovecot's parser does
    [
      "Content-Type: text/plain; a*0=x; a*2=z; b*=utf-8''%41; c*0*=us-ascii''x; c*1=%y\n\nb\n",
      '("text" "plain" ("a*0" "x" "a*2" "z" "b*2*" "utf-8\'\'%41" "c*" "us-ascii\'\'x%25y" "charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL)',
    ],
    // extension data; the first Content-Disposition with parameters wins
    [
      'Content-Type: application/pdf; name="d.pdf"\nContent-Disposition: inline\nContent-Disposition: attachment; filename=z\nContent-Disposition: inline; filename=q\nContent-Language: en, de\nContent-Location: http://x/\nContent-ID: <id>\nContent-Description: desc\nContent-MD5: abc\n\nx\n',
      '("application" "pdf" ("name" "d.pdf") "<id>" "desc" "7bit" 3 "abc" ("attachment" ("filename" "z")) ("en" "de") "http://x/")',
    ],
  ])('%j', (message, expected) => {
    expect(bs(message)).toBe(expected);
  });

  it('BODY is BODYSTRUCTURE without extension data', () => {
    expect(
      bs(
        'Content-Type: multipart/alternative; boundary=x\n\n--x\n\na\n--x\nContent-Type: text/html\n\n<b>\n--x--\n',
        false,
      ),
    ).toBe(
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 3 0) "alternative")',
    );
  });

  it('multipart/digest parts default to message/rfc822 (RFC 2046 §5.1.5)', () => {
    const out = bs(
      'Content-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: a@b\nSubject: s\n\nbody\n--d\nContent-Type: text/plain\n\nt\n--d--\n',
    );
    expect(out).toBe(
      '(("message" "rfc822" NIL NIL NIL "7bit" 29 (NIL "s" ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "digest" ("boundary" "d") NIL NIL NIL)',
    );
  });
});

describe('offsets and part numbers (RFC 3501 §6.4.5)', () => {
  const m = wire(
    'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nA\n--b\nContent-Type: message/rfc822\n\nSubject: in\n\ninner\n--b--\n',
  );
  const root = parseMessage(m);
  const text = (s: number, e: number): string => m.toString('latin1', s, e);

  it('cuts MIME headers and bodies without the CRLF before a boundary', () => {
    const one = findPart(root, [1])!;
    expect(text(one.headerStart, one.bodyStart)).toBe('Content-Type: text/plain\r\n\r\n');
    expect(text(one.bodyStart, one.bodyEnd)).toBe('A');
  });

  it('steps into message/rfc822 parts', () => {
    const two = findPart(root, [2])!;
    expect(two.kind).toBe('message');
    const inner = two.message!.body;
    expect(text(inner.headerStart, inner.bodyStart)).toBe('Subject: in\r\n\r\n');
    expect(text(inner.bodyStart, inner.bodyEnd)).toBe('inner');
    expect(findPart(root, [2, 1])).toBe(inner);
    expect(findPart(root, [2, 2])).toBeUndefined();
    expect(findPart(root, [3])).toBeUndefined();
    // Dovecot: a trailing .1 on a single part names the part itself
    expect(findPart(root, [1, 1])).toBe(findPart(root, [1]));
  });

  it('part 1 of a single-part message is the message itself', () => {
    const plain = parseMessage(wire('Subject: x\n\nbody\n'));
    expect(findPart(plain, [1])).toBe(plain);
    expect(findPart(plain, [])).toBe(plain);
  });
});
