/**
 * A seeded corpus of the messages that break MIME parsers: nested multiparts, attached
 * messages, digests, RFC 2047 headers in several charsets, quoted-printable and 8-bit bodies,
 * group and malformed addresses, missing headers, broken boundaries, huge folded headers,
 * no header/body separator. Used to compare Mailport with Dovecot.
 */
import { rng, type GeneratedMessage } from './corpus.js';

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
    if (random() < 0.5) text = text.replace(/\n/g, '\r\n');
    const seconds = 1_700_000_000 + i * 60;
    out.push({
      fileName: `${seconds}.M${i}P${seed}.hard:2,${pick(['', 'S', 'F'])}`,
      bytes: Buffer.from(text, 'latin1'),
    });
  }
  return out;
}
