import { describe, expect, it } from 'vitest';
import {
  allHeaderText,
  bodyText,
  containsText,
  decodedHeader,
  fold,
  foldText,
} from '../../../src-main/core/mime/search-text.js';
import {
  decodeEncodedWords,
  decodeQuotedPrintable,
} from '../../../src-main/core/mime/encoded-words.js';
import { parseMessage } from '../../../src-main/core/mime/structure.js';

describe('RFC 2047 encoded words', () => {
  it.each([
    ['=?UTF-8?B?SsO8cmdlbg==?=', 'Jürgen'],
    ['=?UTF-8?Q?Caf=C3=A9_au_lait?= and more', 'Café au lait and more'],
    ['=?ISO-8859-1?Q?Re:_=E9t=E9?=', 'Re: été'],
    ['=?windows-1252?B?k2hlbGxvlA==?=', '\u201chello\u201d'],
    ['=?utf-8?q?a?= =?utf-8?q?b?=', 'ab'],
    ['plain =?x-unknown?q?z?= text', 'plain z text'],
    ['Gr\xc3\xbc\xc3\x9fe raw', 'Grüße raw'],
    ['caf\xe9 latin1', 'café latin1'],
  ])('%j → %j', (value, expected) => {
    expect(decodeEncodedWords(value)).toBe(expected);
  });
});

describe('SEARCH text', () => {
  const message = Buffer.from(
    'Subject: =?UTF-8?B?SsO8cmdlbg==?=\r\nsubject: second\r\nFrom: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 soft=\r\nbreak\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+w7xiZXI8L2I+\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\nsecret\r\n--b--\r\n',
    'latin1',
  );
  const header = message.subarray(0, message.indexOf('\r\n\r\n') + 4);

  it('decodes header values of a field, every occurrence', () => {
    expect(decodedHeader(header, 'SUBJECT')).toEqual(['Jürgen', 'second']);
    expect(decodedHeader(header, 'cc')).toEqual([]);
    expect(decodedHeader(header, '*').length).toBe(5);
  });

  it('decodes text parts only', () => {
    const text = bodyText(message, parseMessage(message));
    expect(text).toContain('café softbreak');
    expect(text).toContain('<b>über</b>');
    expect(text).not.toContain('secret');
  });

  const forwarded = Buffer.from(
    'From: a@b.c\r\nSubject: outer\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n' +
      '--b\r\nContent-Type: text/plain\r\nX-Part: =?UTF-8?Q?caf=C3=A9?=\r\n\r\nouter text\r\n' +
      '--b\r\nContent-Type: message/rfc822\r\n\r\n' +
      'From: =?koi8-r?B?8NLJ18XUIMnaIO3P08vX2Q==?= <m@x.ru>\r\nSubject: inner\r\n\r\ninner text\r\n--b--\r\n',
    'latin1',
  );

  it('leaves every header out of the body text, an attached message’s too (as Dovecot)', () => {
    const text = bodyText(forwarded, parseMessage(forwarded));
    expect(text).toBe('outer text\ninner text');
  });

  it('gives TEXT every header of the message and its parts, decoded', () => {
    const headers = allHeaderText(forwarded, parseMessage(forwarded)).split('\n');
    expect(headers).toEqual([
      'From: a@b.c',
      'Subject: outer',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary=b',
      'Content-Type: text/plain',
      'X-Part: café',
      'Content-Type: message/rfc822',
      'From: Привет из Москвы <m@x.ru>',
      'Subject: inner',
    ]);
  });

  it('matches case-insensitively with Unicode folding', () => {
    expect(containsText('Grüße aus Köln', 'KÖLN')).toBe(true);
    expect(containsText('Straße', 'STRASSE')).toBe(true);
    expect(containsText('café', 'CAFÉ')).toBe(true);
    expect(containsText('abc', 'abd')).toBe(false);
    expect(containsText('anything', '')).toBe(true);
  });
});

describe('fast folding gives exactly what the reference fold gives', () => {
  it('for every Latin-1 character, alone and in a row', () => {
    const all = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c));
    for (const c of all) expect(foldText(c)).toBe(fold(c));
    expect(foldText(all.join(''))).toBe(fold(all.join('')));
  });

  it('for text mixing scripts, combining marks, sigmas and line ends', () => {
    const pool = [
      ...'aZ é É ß ÿ µ ª ¼ ² × \n \n \r \t . \'',
      'Σ', 'σ', 'ς', 'ΑΣ', 'ΐ', '\u0301', '\u0323', '\u0345', '\u200d',
      'ﬁ', 'K', 'İ', 'ı', 'ǅ', 'ẞ', '“', '’', '日本', '😀', '𝚺', 'Ω', 'Å', 'ŉ', 'Ꭰ',
    ]; // prettier-ignore
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2000; n++) {
      const text = Array.from(
        { length: 1 + Math.floor(next() * 40) },
        () => pool[Math.floor(next() * pool.length)],
      ).join('');
      expect(foldText(text)).toBe(fold(text));
    }
  });

  it('matches Latin-1 text without folding it exactly as folding it does', () => {
    // Characters whose folds are not themselves: accents, ß, ª º, digits, fractions,
    // spacing diacritics, a no-break space; then ASCII needles cut from the folded text
    // (so most match, at every kind of boundary) and random ones.
    const pool = [...'aAeEsSiIoOuUyY1234 -éÉàÀüÜÿßªº¹²³¼½¾\xa0´¨¯¸µ×æÆðþ\t'];
    let seed = 11;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = (): string => pool[Math.floor(next() * pool.length)]!;
    let checked = 0;
    for (let n = 0; n < 4000; n++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 30) }, pick).join('');
      const folded = fold(text);
      const from = Math.floor(next() * folded.length);
      const cut = folded.slice(from, from + 1 + Math.floor(next() * 6));
      const random = Array.from({ length: 1 + Math.floor(next() * 4) }, pick).join('');
      for (const needle of [cut, random, cut.toUpperCase()]) {
        expect(
          containsText(text, needle),
          `${JSON.stringify(text)} ${JSON.stringify(needle)}`,
        ).toBe(folded.includes(fold(needle)));
        checked += 1;
      }
    }
    expect(checked).toBe(12000);
  });

  it('matches across a line only when the needle has a line end', () => {
    expect(containsText('one\ntwo', 'ONE\nTWO')).toBe(true);
    expect(containsText('one\ntwo', 'one two')).toBe(false);
    expect(containsText('Ärger\nΣΟΦΊΑ', 'σοφία')).toBe(true);
  });
});

describe('quoted-printable', () => {
  /** The straightforward decoder the fast one replaced. */
  function reference(text: string, underscoreSpace = false): Buffer {
    const src = underscoreSpace ? text.replace(/_/g, ' ') : text;
    const out: number[] = [];
    for (let i = 0; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (c !== 0x3d) {
        out.push(c & 0xff);
        continue;
      }
      const hex = src.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
      } else {
        const soft = /^[ \t]*\r?\n/.exec(src.slice(i + 1));
        if (soft) i += soft[0].length;
        else out.push(c);
      }
    }
    return Buffer.from(out);
  }

  it.each([
    'caf=E9 =3D=3d soft=\r\nbreak',
    'a= \t\r\nb=\nc= \rd=\r',
    '=',
    '==',
    '=4',
    '=ZZ=4g=G4',
    'end=',
    'x=\t \t',
    '_=5F_ z\xe9\xff',
    '=\r\r\n=0D=0A',
  ])('decodes %j as before', (text) => {
    expect(decodeQuotedPrintable(text)).toEqual(reference(text));
    expect(decodeQuotedPrintable(text, true)).toEqual(reference(text, true));
  });
});
