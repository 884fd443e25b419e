import { describe, expect, it } from 'vitest';
import { rng } from '../../helpers/corpus.js';
import { envelopeOf } from '../../../src-main/core/mime/envelope.js';
import { headerFields } from '../../../src-main/core/mime/header-fields.js';
import { bodyText, decodedHeader } from '../../../src-main/core/mime/search-text.js';
import { MAX_NESTED_MIME_PARTS } from '../../../src-main/core/mime/limits.js';
import { findPart, parseMessage, type BodyPart } from '../../../src-main/core/mime/structure.js';
import { formatBodyStructure } from '../../../src-main/core/imap/format/bodystructure.js';
import { formatEnvelope } from '../../../src-main/core/imap/format/envelope.js';

function everything(message: Buffer): void {
  const root = parseMessage(message);
  formatBodyStructure(root, true);
  formatBodyStructure(root, false);
  const header = message.subarray(root.headerStart, root.bodyStart);
  formatEnvelope(envelopeOf(header));
  headerFields(header, ['FROM', 'SUBJECT'], false);
  headerFields(header, ['RECEIVED'], true);
  decodedHeader(header, '*');
  bodyText(message, root);
  findPart(root, [1, 2, 3]);
}

function depth(p: BodyPart): number {
  const inner = p.message ? [p.message.body] : p.children;
  return 1 + Math.max(0, ...inner.map(depth));
}

const timed = (f: () => void): number => {
  const start = performance.now();
  f();
  return performance.now() - start;
};

describe('hostile input never throws and stays fast', () => {
  it('random bytes', () => {
    const random = rng(42);
    const alphabet = [
      '--b',
      '\r\n',
      '\n',
      ':',
      ';',
      '"',
      '(',
      ')',
      '<',
      '>',
      '@',
      ',',
      '\\',
      ' ',
      '=?',
      'boundary=b',
      '\0',
      '\xff',
    ];
    for (let i = 0; i < 500; i++) {
      const parts: string[] = ['Content-Type: multipart/mixed; boundary=b\r\n'];
      for (let j = 0; j < 60; j++) {
        parts.push(
          random() < 0.5
            ? alphabet[Math.floor(random() * alphabet.length)]!
            : String.fromCharCode(Math.floor(random() * 256)),
        );
      }
      expect(() => everything(Buffer.from(parts.join(''), 'latin1'))).not.toThrow();
    }
  });

  it('truncated multiparts at every length', () => {
    const m = Buffer.from(
      'Content-Type: multipart/mixed; boundary="o"\r\n\r\n--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: "x" <a@b>\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\n\r\nt\r\n--i--\r\n--o--\r\n',
      'latin1',
    );
    for (let n = 0; n <= m.length; n++) expect(() => everything(m.subarray(0, n))).not.toThrow();
  });

  it(`10,000 nested multiparts stop at depth ${MAX_NESTED_MIME_PARTS}`, () => {
    const open = Array.from(
      { length: 10_000 },
      (_, i) => `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`,
    );
    const m = Buffer.from(open.join('') + 'Content-Type: text/plain\r\n\r\ndeep\r\n', 'latin1');
    let root: BodyPart | undefined;
    const ms = timed(() => {
      root = parseMessage(m);
      formatBodyStructure(root, true);
    });
    expect(depth(root!)).toBe(MAX_NESTED_MIME_PARTS);
    expect(formatBodyStructure(root!, true)).toContain('"application" "octet-stream"');
    expect(ms).toBeLessThan(3000);
  });

  it('10,000 nested message/rfc822 parts', () => {
    const m = Buffer.from(
      'Content-Type: message/rfc822\r\n\r\n'.repeat(10_000) + 'Subject: x\r\n\r\nx\r\n',
      'latin1',
    );
    let root: BodyPart | undefined;
    const ms = timed(() => {
      root = parseMessage(m);
      formatBodyStructure(root, true);
    });
    expect(depth(root!)).toBe(MAX_NESTED_MIME_PARTS);
    expect(ms).toBeLessThan(3000);
  });

  it('a 1 MB header line and a 1 MB address list', () => {
    const line = Buffer.from(
      `Subject: ${'x'.repeat(1 << 20)}\r\nTo: ${'a@b, '.repeat(200_000)}\r\n\r\nbody\r\n`,
      'latin1',
    );
    const ms = timed(() => everything(line));
    expect(envelopeOf(line).to?.length).toBe(200_000);
    expect(ms).toBeLessThan(5000);
  });

  it('many boundary-like lines', () => {
    const m = Buffer.from(
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n' + '--b\r\n--bx\r\n-\r\n'.repeat(20_000),
      'latin1',
    );
    expect(timed(() => everything(m))).toBeLessThan(5000);
  });
});
