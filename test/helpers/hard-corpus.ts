/**
 * A seeded corpus of the messages that break MIME parsers: nested multiparts, attached
 * messages (with their own attachments), digests, RFC 2047 headers in a dozen charsets (UTF-8,
 * ISO-8859-1/2/7/15, windows-1252/1255, KOI8-R, ISO-2022-JP, Shift_JIS, GB2312, Big5,
 * EUC-KR) and malformed encoded words, quoted-printable, base64 and 8-bit bodies in several
 * charsets, group and malformed addresses, missing Date/From/Subject, broken boundaries,
 * huge headers (a 100 KB line, thousands of Received fields, hundreds of recipients), no
 * header/body separator, no header at all; LF-only, CRLF and mixed line ends. Used to compare
 * Mailport with Dovecot.
 */
import { rng, type GeneratedMessage } from './corpus.js';

/** Text as the UTF-8 octets of a file (the corpus is built as latin1 strings of octets). */
const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

type Builder = (pick: <T>(items: readonly T[]) => T, i: number) => string;

const SUBJECTS = [
  'plain subject',
  '=?UTF-8?B?w5xiZXIgZGFzIE1lZXRpbmc=?=',
  '=?ISO-8859-1?Q?Caf=E9_au_lait?=',
  '=?windows-1252?Q?=93quoted=94?= and more',
  '=?UTF-8?Q?caf=C3=A9?= =?UTF-8?Q?_na=C3=AFve?=',
  'Re: [list] "quotes" and \\backslash',
  'Ünïcödé raw 8-bit',
  '',
  '=?koi8-r?B?8NLJ18XUIMnaIO3P08vX2Q==?=', // Привет из Москвы
  '=?KOI8-R?Q?=EF=D4=DE=A3=D4_=DA=C1_=CB=D7=C1=D2=D4=C1=CC?=', // Отчёт за квартал
  '=?iso-2022-jp?B?GyRCMnE1RCRONUQ7dk8/GyhC?=', // 会議の議事録
  '=?shift_jis?B?k4yLnoLMk1aLQw==?=', // 東京の天気
  '=?gb2312?B?sbG+qbvh0um8zdKq?=', // 北京会议纪要
  '=?iso-8859-2?Q?Za=BF=F3=B3=E6_g=EA=B6l=B1_ja=BC=F1?=', // Zażółć gęślą jaźń
  '=?iso-8859-15?Q?Preis:_100_=A4?=', // Preis: 100 €
  '=?big5?B?u0+lX6ijrbE=?=', // 臺北見面
  '=?euc-kr?B?vK2/7yDIuMDH?=', // 서울 회의
  '=?iso-8859-7?Q?=C5=EB=EB=E7=ED=E9=EA=DC_=ED=DD=E1?=', // Ελληνικά νέα
  '=?windows-1255?B?+ezl7SDy5ezt?=', // שלום עולם
  '=?UTF-8*en?Q?with_language?= tag',
  '=?UTF-8?B?not base64!?= and =?unknown-8?Q?x?= and =?UTF-8?Q?unterminated',
  '"=?UTF-8?Q?inside_quotes?=" =?utf-8?q?lower?=',
  utf8('raw UTF-8 Привет and 東京'),
];
const FROMS = [
  'Alice <alice@example.org>',
  '"Doe, John" <john@example.com>',
  '=?UTF-8?B?SsO8cmdlbg==?= <j@example.org>',
  'bob@example.net (Bob Smith)',
  'undisclosed-recipients:;',
  'Team: a@x.org, "B" <b@y.org>;',
  '<route@example.org>',
  'no-domain',
  '@example.org',
  'Carol <carol@[192.168.1.1]>',
  'a@b.c, d@e.f',
  '=?iso-8859-2?Q?Pawe=B3_Ko=BFuch?= <pawel@example.pl>',
  '=?koi8-r?B?8NLJ18XUIMnaIO3P08vX2Q==?= <moscow@example.ru>',
  '=?iso-2022-jp?B?GyRCMnE1RCRONUQ7dk8/GyhC?= <tokyo@example.jp>',
];

const leaf = (type: string, body: string, extra = ''): string =>
  `Content-Type: ${type}\n${extra}\n${body}`;

const BUILDERS: Builder[] = [
  // nested multipart with attachment and a quoted-printable part
  (pick, i) =>
    `Content-Type: multipart/mixed; boundary="outer${i}"\n\npreamble\n--outer${i}\n` +
    `Content-Type: multipart/alternative; boundary=inner${i}\n\n--inner${i}\n` +
    leaf(
      'text/plain; charset=iso-8859-1',
      'caf\xe9 na\xefve =\n',
      'Content-Transfer-Encoding: quoted-printable\n',
    ) +
    `\n--inner${i}\n` +
    leaf(
      'text/html; charset="utf-8"',
      '<p>caf=C3=A9</p>\n',
      'Content-Transfer-Encoding: quoted-printable\n',
    ) +
    `\n--inner${i}--\n\n--outer${i}\n` +
    leaf(
      `application/pdf; name="r${i}.pdf"`,
      'JVBERi0xLjQKJcfs\nj6IKNSAwIG9iago=\n',
      `Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="r${i}.pdf"; size=12\nContent-ID: <part${i}@x>\nContent-Description: the report\nContent-Language: en, de\nContent-Location: http://x/y\nContent-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n`,
    ) +
    `\n--outer${i}--\nepilogue\n`,
  // attached message
  (pick, i) =>
    `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\nContent-Type: text/plain\n\nsee attached\n--b${i}\n` +
    `Content-Type: message/rfc822\nContent-Disposition: inline\n\nFrom: ${pick(FROMS)}\nTo: x@y.z\nSubject: ${pick(SUBJECTS)}\nDate: Wed, 1 Feb 2023 12:00:00 +0100\nMessage-ID: <inner${i}@x>\n` +
    `Content-Type: multipart/alternative; boundary=c${i}\n\n--c${i}\nContent-Type: text/plain; charset=utf-8\n\ninner text ${i}\n--c${i}--\n` +
    `--b${i}--\n`,
  // digest: default type message/rfc822
  (_p, i) =>
    `Content-Type: multipart/digest; boundary=d${i}\n\n--d${i}\n\nFrom: a@b.c\nSubject: one\n\nfirst\n--d${i}\n\nFrom: d@e.f\nSubject: two\n\nsecond\n--d${i}--\n`,
  // missing boundary parameter
  () => `Content-Type: multipart/mixed\n\n--x\nContent-Type: text/plain\n\nbody\n--x--\n`,
  // unterminated multipart
  (_p, i) =>
    `Content-Type: multipart/mixed; boundary=u${i}\n\n--u${i}\nContent-Type: text/plain\n\nnever closed\n`,
  // garbage content type and encoding
  () => `Content-Type: garbage\nContent-Transfer-Encoding: X-Weird\n\nbody\n`,
  () => `Content-Type: text/plain; charset=\n\nempty charset\n`,
  () => `Content-Type: TEXT/PLAIN; CHARSET=UTF-8; format=flowed; delsp=yes\n\nupper case type\n`,
  // RFC 2231 parameters
  (_p, i) =>
    `Content-Type: multipart/mixed; boundary=r${i}\n\n--r${i}\nContent-Type: application/octet-stream; name*=UTF-8''%C3%BCber.txt\nContent-Disposition: attachment; filename*0="long"; filename*1="name.txt"\n\nxx\n--r${i}--\n`,
  // 8-bit body in windows-1252
  () =>
    `Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n\x93smart quotes\x94 and caf\xe9\n`,
  // empty body
  () => ``,
  // huge folded header
  (_p, i) =>
    `X-Long: ${Array.from({ length: 200 }, (_, k) => `word${k}`).join('\n\t')}\nReferences: ${Array.from({ length: 50 }, (_, k) => `<r${k}.${i}@x>`).join('\n ')}\n\nbody\n`,
  // duplicate headers
  () => `Content-Type: text/html\nContent-Type: text/plain\n\ndup\n`,
  // 8-bit bodies in other charsets
  () =>
    'Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n' +
    '\xf7\xd3\xd4\xd2\xc5\xde\xc1 \xd7 \xd0\xd1\xd4\xce\xc9\xc3\xd5\n', // Встреча в пятницу
  () =>
    'Content-Type: text/plain; charset="ISO-2022-JP"\nContent-Transfer-Encoding: 7bit\n\n' +
    '\x1b$BMh=5$NM=Dj\x1b(B\n', // 来週の予定
  () =>
    'Content-Type: text/plain; charset=shift_jis\nContent-Transfer-Encoding: base64\n\n' +
    'lr6T+oLMie+LY4LNkoaOfoLFgrc=\n', // 明日の会議は中止です
  // quoted-printable: soft breaks inside a UTF-8 sequence, =3D, trailing white space
  () =>
    'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n' +
    'Gr=C3=\n=B6=C3=9Fe aus K=C3=B6ln =3D sch=C3=B6n=20\nlong line soft=\nbreak   \n',
  // base64 text, and an HTML alternative in quoted-printable
  (_p, i) =>
    `Content-Type: multipart/alternative; boundary="alt${i}"\n\n--alt${i}\n` +
    'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n' +
    `${Buffer.from('Die Besprechung ist verschoben.\n').toString('base64')}\n--alt${i}\n` +
    'Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n' +
    `<p>Die Besprechung ist <b>verschoben</b>.</p>\n--alt${i}--\n`,
  // an attached message with its own attachment and an encoded subject
  (pick, i) =>
    `Content-Type: multipart/mixed; boundary=fw${i}\n\n--fw${i}\nContent-Type: text/plain\n\nforwarded below\n--fw${i}\n` +
    `Content-Type: message/rfc822; name="fwd.eml"\nContent-Disposition: attachment; filename="fwd.eml"\n\n` +
    `From: ${pick(FROMS)}\nSubject: ${pick(SUBJECTS)}\nDate: Thu, 2 Mar 2023 08:00:00 +0200\nMIME-Version: 1.0\n` +
    `Content-Type: multipart/mixed; boundary=in${i}\n\n--in${i}\nContent-Type: text/plain; charset=utf-8\n\n${utf8('innen: Grüße')}\n` +
    `--in${i}\nContent-Type: image/png; name=a.png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--in${i}--\n--fw${i}--\n`,
  // huge headers: one 100 KB line, thousands of Received fields, hundreds of recipients
  (_p, i) => `X-Huge: ${'x'.repeat(100_000)} needle${i}\n\nhuge line\n`,
  (_p, i) =>
    Array.from(
      { length: 2000 },
      (_, k) => `Received: from relay${k}.example.org by mx.example.org; ${i}\n`,
    ).join('') + '\nmany received\n',
  () =>
    `Cc: ${Array.from({ length: 400 }, (_, k) => `"Person ${k}" <p${k}@example.org>`).join(',\n ')}\n` +
    `Subject: ${Array.from({ length: 300 }, (_, k) => `part${k}`).join('\n ')}\n\nmany recipients\n`,
  // mixed line ends inside one file
  () => `X-Line-Ends: mixed\r\nContent-Type: text/plain\n\r\nCRLF line\r\nLF line\nend\r\n`,
];

export function generateHardCorpus(count: number, seed: number): GeneratedMessage[] {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const out: GeneratedMessage[] = [];
  for (let i = 0; i < count; i++) {
    const headers: string[] = [];
    if (random() > 0.1) headers.push(`From: ${pick(FROMS)}`);
    if (random() > 0.2) headers.push(`To: ${pick(FROMS)}`);
    if (random() > 0.7) headers.push(`Cc: ${pick(FROMS)}, ${pick(FROMS)}`);
    if (random() > 0.9)
      headers.push(`Reply-To: ${pick(FROMS)}`, `Sender: ${pick(FROMS)}`, `Bcc: ${pick(FROMS)}`);
    if (random() > 0.1) headers.push(`Subject: ${pick(SUBJECTS)}`);
    if (random() > 0.15)
      headers.push(
        `Date: ${new Date(Date.UTC(2023, 10, 14) + i * 7200_000).toUTCString().replace('GMT', '+0000')}`,
      );
    headers.push(`Message-ID: <h${i}.${seed}@example.org>`);
    if (random() > 0.8) headers.push(`In-Reply-To: <h${i - 1}.${seed}@example.org>`);
    headers.push('MIME-Version: 1.0');
    const body = BUILDERS[i % BUILDERS.length]!(pick, i);
    // Builders begin with their own header lines (or an empty line for "no type").
    let text = `${headers.join('\n')}\n${body}`;
    if (i % 37 === 0) text = `${headers.join('\n')}\n`; // header only, no separator
    if (i % 41 === 1) text = `\nno header at all: no Date, no From\n`;
    if (random() < 0.5) text = text.replace(/\r?\n/g, '\r\n');
    const seconds = 1_700_000_000 + i * 60;
    out.push({
      fileName: `${seconds}.M${i}P${seed}.hard:2,${pick(['', 'S', 'F'])}`,
      bytes: Buffer.from(text, 'latin1'),
    });
  }
  return out;
}
