/**
 * A seeded generator of MIME-heavy messages for the ENVELOPE/BODYSTRUCTURE differential test:
 * plain and 8-bit text, multipart/alternative and mixed with attachments, nested multiparts,
 * message/rfc822 and multipart/digest, RFC 2047 words (ISO-8859-1, UTF-8 B and Q,
 * windows-1252), RFC 2231 parameters, quoted-printable and base64 bodies, group and broken
 * addresses, duplicate and missing headers, long folded fields, malformed MIME (missing or
 * unused boundaries, unterminated multiparts, garbage Content-Type, boundaries inside
 * headers), empty bodies, no header/body separator, deep nesting, LF-only and CRLF files.
 * The same seed gives the same bytes.
 */
import { rng } from './corpus.js';

type Random = () => number;

interface Gen {
  readonly random: Random;
  pick<T>(items: readonly T[]): T;
  int(max: number): number;
  words(n: number): string;
}

const WORDS = [
  'mail',
  'port',
  'invoice',
  'lunch',
  'über',
  'café',
  'naïve',
  '日本',
  'the',
  'a',
  'Grüße',
  'x',
];

function gen(seed: number): Gen {
  const random = rng(seed);
  const int = (max: number): number => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return {
    random,
    pick,
    int,
    words: (n) => Array.from({ length: n }, () => pick(WORDS)).join(' '),
  };
}

const ADDRESSES = [
  'Alice <alice@example.org>',
  'bob@example.net',
  '"Smith, John" <john@example.com>',
  '=?UTF-8?B?SsO8cmdlbg==?= <j@example.org>',
  '=?ISO-8859-1?Q?Andr=E9?= <andre@example.fr>',
  '=?windows-1252?Q?=93quoted=94?= <q@example.com>',
  'carol@example.org (Carol C)',
  'Team: dave@example.org, "Eve" <eve@example.org>;',
  'undisclosed-recipients:;',
  '<>',
  'just a name',
  'broken@',
  '@nodomain',
  '<@route1,@route2:routed@example.org>',
  'a.@b.example, x..y@example.org',
  '"quoted local"@example.org',
  'user@[192.0.2.1]',
  'Zoë Ünicode <zoe@example.org>',
  '"A \\"nick\\" B" <nick@example.org>',
  'Mixed <mixed@example.org>, plain@example.org, Group: ;',
  '"unterminated <u@example.org>',
  '<angle@example.org',
  'Routed <@bad.route x@example.org>',
];

const SUBJECTS = [
  'Hello there',
  '=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=',
  '=?UTF-8?Q?Caf=C3=A9_au_lait?= and more',
  '=?ISO-8859-1?Q?Re:_=E9t=E9?=',
  '=?windows-1252?B?k2hlbGxvlA==?=',
  '=?utf-8?q?a?= =?utf-8?q?b?=',
  'Grüße 8-bit subject',
  'Caf\xe9 latin1 raw',
  '  leading spaces',
  'tabs\there',
  'many "quotes" and \\backslashes\\ "x"',
  'two "q"',
  'trailing space ',
  '',
  '(no subject)',
];

function header(g: Gen, extra: string[] = [], omit = new Set<string>()): string[] {
  const h: string[] = [];
  if (!omit.has('date'))
    h.push(
      `Date: ${g.pick(['Mon, 1 Jan 2024 10:00:00 +0000', 'Tue, 02 Jan 2024 23:59:59 -0800 (PST)', 'garbage date', '1 Jan 2024'])}`,
    );
  if (!omit.has('from')) h.push(`From: ${g.pick(ADDRESSES)}`);
  h.push(`To: ${g.pick(ADDRESSES)}`);
  if (g.random() < 0.3) h.push(`Cc: ${g.pick(ADDRESSES)}, ${g.pick(ADDRESSES)}`);
  if (g.random() < 0.1) h.push(`Bcc: ${g.pick(ADDRESSES)}`);
  if (g.random() < 0.15) h.push(`Reply-To: ${g.pick(ADDRESSES)}`);
  if (g.random() < 0.1) h.push(`Sender: ${g.pick(ADDRESSES)}`);
  if (!omit.has('subject')) h.push(`Subject: ${g.pick(SUBJECTS)}`);
  if (g.random() < 0.8) h.push(`Message-ID: <${g.int(1e9)}@example.org>`);
  if (g.random() < 0.2) h.push(`In-Reply-To: <${g.int(1e9)}@example.org>`);
  return [...h, ...extra];
}

const text = (g: Gen, lines: number): string =>
  Array.from({ length: lines }, () => g.words(1 + g.int(12))).join('\n') + '\n';

function qp(g: Gen): string {
  return `caf=C3=A9 soft=\nbreak =3D equals\n${g.words(5)}=20\n`;
}

function b64(g: Gen, n: number): string {
  const bytes = Buffer.from(Array.from({ length: n }, () => g.int(256)));
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\n') + '\n';
}

function leaf(g: Gen): string {
  switch (g.int(8)) {
    case 0:
      return `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${text(g, 1 + g.int(5))}`;
    case 1:
      return `Content-Type: text/html; charset="iso-8859-1"\nContent-Transfer-Encoding: quoted-printable\n\n<p>${qp(g)}</p>\n`;
    case 2:
      return `Content-Type: application/pdf; name="doc ${g.int(99)}.pdf"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="doc.pdf"; size=123\nContent-Description: A document\nContent-ID: <part${g.int(99)}@example.org>\n\n${b64(g, 100 + g.int(500))}`;
    case 3:
      return `Content-Type: image/png\nContent-Transfer-Encoding: BASE64\nContent-Disposition: inline;\n filename*0="long-";\n filename*1="name.png"\n\n${b64(g, 60)}`;
    case 4:
      return `Content-Type: application/octet-stream; name*=utf-8''%C3%BCber.bin\nContent-Disposition: attachment; filename*=UTF-8''%C3%BCber.bin\nContent-Language: de, en-GB\nContent-Location: http://example.org/x\nContent-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n\n${b64(g, 30)}`;
    case 5:
      return `\n${text(g, 2)}`; // no Content-Type: text/plain
    case 6:
      return `Content-Type: text/plain; format=flowed; delsp=yes; charset=windows-1252\nContent-Transfer-Encoding: 7BIT\n\n${text(g, 3)}`;
    default:
      return `Content-Type: text/calendar; method=REQUEST; charset="utf-8"\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n`;
  }
}

function multipart(g: Gen, depth: number, subtype?: string): string {
  const boundary = g.pick(['b', '=_Part', '----=_NextPart_000', 'x-y']) + `${depth}-${g.int(1e6)}`;
  const type = subtype ?? g.pick(['mixed', 'alternative', 'related', 'mixed']);
  const quotedB = g.random() < 0.5 ? `"${boundary}"` : boundary.replace(/=/g, '');
  const b = quotedB.replace(/"/g, '');
  const parts = Array.from({ length: 1 + g.int(3) }, () => {
    const r = g.random();
    if (depth < 3 && r < 0.25) return multipart(g, depth + 1);
    if (depth < 3 && r < 0.35) return rfc822(g, depth + 1);
    return leaf(g);
  });
  const preamble = g.random() < 0.3 ? 'This is a multi-part message in MIME format.\n' : '';
  const epilogue = g.random() < 0.3 ? 'epilogue text\n' : '';
  return `Content-Type: multipart/${type}; boundary=${quotedB}\n\n${preamble}${parts.map((p) => `--${b}\n${p}`).join('')}--${b}--\n${epilogue}`;
}

function rfc822(g: Gen, depth: number): string {
  const inner =
    g.random() < 0.5
      ? `${header(g).join('\n')}\n${multipart(g, depth + 1)}`
      : `${header(g).join('\n')}\n\n${text(g, 2)}`;
  return `Content-Type: message/rfc822${g.random() < 0.3 ? '; name="fwd.eml"' : ''}\nContent-Disposition: ${g.pick(['inline', 'attachment'])}\n\n${inner}`;
}

function digest(g: Gen): string {
  const msgs = Array.from({ length: 2 }, () => `\n${header(g).join('\n')}\n\n${text(g, 1)}`);
  return `MIME-Version: 1.0\nContent-Type: multipart/digest; boundary=dg\n\n--dg\n${msgs.join('--dg\n')}--dg\nContent-Type: text/plain\n\nnot a message\n--dg--\n`;
}

/** Messages that break MIME in the ways real mail does. */
const MALFORMED: ((g: Gen) => string)[] = [
  (g) =>
    `${header(g).join('\n')}\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\nno boundary parameter\n`,
  (g) =>
    `${header(g).join('\n')}\nContent-Type: multipart/mixed; boundary=unused\n\n--other\nContent-Type: text/plain\n\nx\n`,
  (g) =>
    `${header(g).join('\n')}\nContent-Type: multipart/mixed; boundary=open\n\n--open\nContent-Type: text/plain\n\nnever closed\n--open\nContent-Type: text/html\n\n<b>`,
  (g) => `${header(g).join('\n')}\nContent-Type: garbage\n\nbody\n`,
  (g) =>
    `${header(g).join('\n')}\nContent-Type: text/\nContent-Transfer-Encoding: base64 extra\n\nbody\n`,
  (g) =>
    `${header(g).join('\n')}\nContent-Type: /plain; charset\nContent-Type: text/html\n\nbody\n`,
  (g) => `${header(g).join('\n')}\nContent-Type: text/plain; charset="unterminated\n\nbody\n`,
  (g) =>
    `${header(g).join('\n')}\nContent-Transfer-Encoding: quoted-printable\nContent-Disposition: attachment\n\nno MIME-Version, so ignored\n`,
  (g) =>
    `${header(g, [`Subject: second subject`, `From: second@example.org`, `Date: second date`]).join('\n')}\n\nduplicates\n`,
  (g) =>
    `${header(g).join('\n')}\nContent-Type: multipart/mixed; boundary=h\n\n--h\nContent-Type: text/plain\n--h\nContent-Type: text/plain\n\n--h\n\n\n--h--`,
  (g) =>
    `${header(g).join('\n')}\nContent-Type: multipart/mixed; boundary=p\n\n--p\nContent-Type: multipart/alternative; boundary=p2\n\n--p2\n\nin\n--p\n\nouter\n--p2\n\nlost\n--p--\n`,
  (g) => `${header(g).join('\n')}\nContent-Type: message/rfc822\n\n`,
  (g) => `${header(g).join('\n')}\nContent-Type: message/rfc822\n\nSubject: inner without body`,
  (g) =>
    `${header(g).join('\n')}\nContent-Type: text/plain; a*0=x; a*2=z; b*=utf-8''%41; c*0*=us-ascii''x; c*1=%y; d=="=?utf-8?b?eA==?="\n\nparams\n`,
  (g) =>
    `${header(g).join('\n')}\nContent-Disposition: inline\nContent-Disposition: attachment; filename=z\nContent-Type: text/plain\n\nx\n`,
  (g) =>
    `${header(g).join('\n')}\nno colon here\nContent-Type: text/plain;\n\tcharset=us-ascii\n\nx\n`,
  (g) => `${header(g).join('\n')}`,
  () => '',
  () => '\n',
  () => 'Subject: only a header\n',
  (g) => `${header(g).join('\n')}\n\n`,
  (g) =>
    `${header(g).join('\n')}\nSubject: a\x00nul\nContent-Type: text/plain; name="n\x00m"\n\nbody\x00nul\n`,
  (g) =>
    `${header(g).join('\n')}\nContent-Type: multipart/mixed; boundary=e\n\n--e\nContent-Type: text/plain\n\nx\n--e`,
  (g) =>
    `${header(g).join('\n')}\nContent-Type: Multipart/Mixed; Boundary="CaSe"\n\n--CaSe\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\n\nx\n--CaSe--\n`,
  (g) => nested(g, 105),
  (g) => rfc822Chain(g, 102),
];

function nested(g: Gen, depth: number): string {
  let s = `${header(g).join('\n')}\n`;
  for (let i = 0; i < depth; i++)
    s += `Content-Type: multipart/mixed; boundary="n${i}"\n\n--n${i}\n`;
  s += 'Content-Type: text/plain\n\ndeep\n';
  for (let i = depth - 1; i >= 0; i--) s += `--n${i}--\n`;
  return s;
}

function rfc822Chain(g: Gen, depth: number): string {
  return (
    `${header(g).join('\n')}\n` +
    'Content-Type: message/rfc822\n\n'.repeat(depth) +
    'Subject: bottom\n\nx\n'
  );
}

function longFolded(g: Gen): string {
  const to = Array.from({ length: 40 }, (_, i) => `"Person ${i}" <p${i}@example.org>`).join(',\n ');
  const refs = Array.from({ length: 30 }, () => `<${g.int(1e9)}@example.org>`).join('\n\t');
  const subject = Array.from({ length: 20 }, () => g.words(4)).join('\n ');
  return `${header(g, [`References: ${refs}`], new Set(['subject'])).join('\n')}\nTo: ${to}\nSubject: ${subject}\nX-Long: ${'y'.repeat(5000)}\n\n${text(g, 3)}`;
}

function oneMessage(g: Gen, i: number): string {
  const k = i % 12;
  if (k === 0 || k === 1) return `${header(g, ['MIME-Version: 1.0']).join('\n')}\n${leaf(g)}`;
  if (k === 2) return `${header(g).join('\n')}\n\n${text(g, 1 + g.int(20))}`;
  if (k === 3 || k === 4)
    return `${header(g, ['MIME-Version: 1.0']).join('\n')}\n${multipart(g, 0, k === 3 ? 'alternative' : 'mixed')}`;
  if (k === 5) return `${header(g, ['MIME-Version: 1.0']).join('\n')}\n${multipart(g, 0)}`;
  if (k === 6) return `${header(g, ['MIME-Version: 1.0']).join('\n')}\n${rfc822(g, 0)}`;
  if (k === 7) return `${header(g).join('\n')}\n${digest(g)}`;
  if (k === 8) return MALFORMED[Math.floor(i / 12) % MALFORMED.length]!(g);
  if (k === 9) return longFolded(g);
  if (k === 10) {
    const omit = new Set(['date', 'from', 'subject'].filter(() => g.random() < 0.6));
    return `${header(g, [], omit).join('\n')}\n\n${g.random() < 0.5 ? '' : text(g, 1)}`;
  }
  return `${header(g, ['MIME-Version: 1.0', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable']).join('\n')}\n\n${qp(g)}`;
}

/** `count` messages as stored files: some LF-only, some CRLF, some without a final line end. */
export function generateMimeCorpus(count: number, seed: number): Buffer[] {
  const g = gen(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    let s = oneMessage(g, i);
    const style = g.random();
    if (style < 0.5) s = s.replace(/\n/g, '\r\n');
    if (style > 0.9) s = s.replace(/\r?\n$/, '');
    // 8-bit text: UTF-8 by default, Latin-1 where the text says so.
    out.push(Buffer.from(s, /latin1 raw/.test(s) ? 'latin1' : 'utf8'));
  }
  return out;
}

const MUTATION_TOKENS = [
  '--',
  '\n',
  '\r\n',
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
  '\t',
  '=?',
  '?=',
  'boundary=',
  '\0',
  '\xe9',
  'Content-Type: multipart/mixed; boundary=b\n\n',
  '\n--b\n',
  'message/rfc822',
  '\n\n',
];

/** The same messages with 1–12 random edits each (inserted MIME syntax, deletions, cuts, stray octets). */
export function mutateCorpus(files: readonly Buffer[], seed: number): Buffer[] {
  const r = rng(seed);
  const int = (max: number): number => Math.floor(r() * max);
  return files.map((file) => {
    let s = file.toString('latin1');
    for (let k = 1 + int(12); k > 0; k--) {
      const at = int(s.length + 1);
      const op = r();
      if (op < 0.4) s = s.slice(0, at) + MUTATION_TOKENS[int(MUTATION_TOKENS.length)] + s.slice(at);
      else if (op < 0.8) s = s.slice(0, at) + s.slice(at + 1 + int(5));
      else if (op < 0.9) s = s.slice(0, at);
      else s = s.slice(0, at) + String.fromCharCode(int(256)) + s.slice(at);
    }
    return Buffer.from(s, 'latin1');
  });
}
