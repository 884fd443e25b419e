/**
 * A seeded generator of realistic mail written straight into Maildirs, one message at a time
 * (never the whole corpus in memory). Messages look like a real INBOX delivered by Dovecot's
 * LDA: LF line ends on disk, `<time>.M<usec>P<pid>.<host>,S=<size>,W=<CRLF size>:2,<flags>`
 * names in cur/, the file's mtime set to the arrival time, and a `dovecot-uidlist` that gives
 * UIDs in arrival order (a Maildir Dovecot served before). The mix: Received chains and a DKIM
 * signature in every header; plain text, multipart/alternative with quoted-printable HTML,
 * replies with quotes, newsletters, forwarded messages (message/rfc822), invitations, and
 * attachments in base64, a few of them several megabytes. Each copy is written identically
 * (same bytes, names, mtimes), so the two servers serve the same mail.
 */
import { closeSync, fchownSync, futimesSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CopyTarget {
  readonly maildir: string;
  /** Owner of every file and folder (Dovecot serves as `nobody`). */
  readonly owner?: { uid: number; gid: number };
}

export interface CorpusStats {
  readonly messages: number;
  readonly totalFileBytes: number;
  /** Sum of CRLF sizes: what a full download transfers. */
  readonly totalWireBytes: number;
  readonly medianFileBytes: number;
  readonly p90FileBytes: number;
  readonly largest: number;
  /** Messages of 1 MB or more. */
  readonly multiMegabyte: number;
  readonly withAttachment: number;
  readonly uidValidity: number;
  /** Arrival times (ms) of the first and last message. */
  readonly firstArrival: number;
  readonly lastArrival: number;
  /** How many messages carry the marker phrase used by the TEXT search. */
  readonly markerMessages: number;
  readonly seconds: number;
}

/** The phrase a small share of bodies carry, for `UID SEARCH TEXT`. */
export const TEXT_MARKER = 'quarterly reconciliation';
/** A sender that appears in a known share of messages, for `UID SEARCH FROM`. */
export const FROM_MARKER = 'hannah';

const VOCABULARY = (
  'the of and to in is that for it as with was on be by at this have from or an they which ' +
  'you one had not but what all were when we there can been has more if will their no would ' +
  'about time out up so them could into than other these some may two first then only its ' +
  'meeting report project budget invoice schedule review draft please thanks attached update ' +
  'team customer order delivery contract release server backup holiday lunch tomorrow monday ' +
  'friday office agenda minutes proposal feedback question answer deadline priority ticket ' +
  'payment account shipping weekend conference travel hotel flight booking garden school ' +
  'family dinner photos birthday weather football concert library museum recipe kitchen ' +
  'café über naïve Grüße résumé déjà señor smörgåsbord'
).split(' ');

const FIRST_NAMES = [
  'Alice', 'Bob', 'Carol', 'David', 'Erin', 'Frank', 'Grace', 'Hannah', 'Ivan', 'Judy',
  'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Zoë',
  'Jürgen', 'Françoise', 'Søren', 'José', 'Łukasz', 'Ärzte', 'Иван', '美咲',
]; // prettier-ignore
const LAST_NAMES = [
  'Smith', 'Jones', 'Müller', 'García', 'Rossi', 'Dubois', 'Novak', 'Kowalski', 'Andersen',
  'Tanaka', 'Okafor', 'Silva', 'Nguyen', 'Brown', 'Wilson', 'Fischer',
]; // prettier-ignore
const DOMAINS = [
  'example.org', 'example.net', 'mail.example.com', 'corp.example', 'lists.example.org',
  'shop.example', 'school.example.edu', 'news.example.com',
]; // prettier-ignore
const ATTACHMENTS = [
  ['application/pdf', 'pdf'],
  ['image/jpeg', 'jpg'],
  ['image/png', 'png'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  ['application/zip', 'zip'],
] as const;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const HOST = 'mail.example.com';
/** First arrival: 2022-01-03; messages then arrive every ~15 minutes on average. */
const START_MS = Date.UTC(2022, 0, 3, 8, 0, 0);

interface Gen {
  random: () => number;
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
}

function gen(seed: number): Gen {
  const random = rng(seed);
  const int = (max: number): number => Math.floor(random() * max);
  return { random, int, pick: (items) => items[int(items.length)]! };
}

/** Log-normal size in bytes with the given median; sigma shapes the tail. */
function logNormal(g: Gen, median: number, sigma: number): number {
  const u = Math.max(g.random(), 1e-12);
  const v = g.random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.round(median * Math.exp(sigma * z));
}

/**
 * 64 MiB of base64 lines (76 characters + LF) from seeded bytes: attachments are slices of it,
 * so writing them costs a copy, not an encoding.
 */
function base64Pool(seed: number): Buffer {
  const random = rng(seed ^ 0x5eed);
  const words = new Uint32Array(12 * 1024 * 1024);
  for (let i = 0; i < words.length; i++) words[i] = (random() * 4294967296) >>> 0;
  const text = Buffer.from(Buffer.from(words.buffer).toString('base64'), 'latin1');
  const lines = Math.floor(text.length / 76);
  const out = Buffer.allocUnsafe(lines * 77);
  for (let i = 0; i < lines; i++) {
    text.copy(out, i * 77, i * 76, i * 76 + 76);
    out[i * 77 + 76] = 0x0a;
  }
  return out;
}

class Writer {
  readonly #g: Gen;
  constructor(g: Gen) {
    this.#g = g;
  }

  words(n: number): string {
    const g = this.#g;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(g.pick(VOCABULARY));
    return out.join(' ');
  }

  sentence(): string {
    const s = this.words(6 + this.#g.int(14));
    return s.charAt(0).toUpperCase() + s.slice(1) + this.#g.pick(['.', '.', '.', '?', '!']);
  }

  /** Paragraphs of sentences wrapped at 72 columns, about `bytes` long. */
  text(bytes: number, marker: boolean): string {
    const g = this.#g;
    const paragraphs: string[] = [];
    let size = 0;
    while (size < bytes) {
      const lines: string[] = [];
      let line = '';
      let words = 0;
      const length = 30 + g.int(80);
      for (let i = 0; i < length; i++) {
        let word = g.pick(VOCABULARY);
        if (words === 0) word = word.charAt(0).toUpperCase() + word.slice(1);
        words += 1;
        if (words > 6 && g.random() < 0.1) {
          word += g.pick(['.', '.', '.', '?', '!', ',']);
          if (!word.endsWith(',')) words = 0;
        }
        if (line.length + word.length + 1 > 72) {
          lines.push(line);
          line = word;
        } else line = line ? `${line} ${word}` : word;
      }
      lines.push(line.replace(/[,.?!]?$/, '.'));
      const p = lines.join('\n');
      paragraphs.push(p);
      size += p.length + 2;
    }
    if (marker) paragraphs.splice(g.int(paragraphs.length), 0, `About the ${TEXT_MARKER}:`);
    return paragraphs.join('\n\n') + '\n';
  }

  /** The same text as HTML, quoted-printable encoded (as mail clients send it). */
  html(text: string): string {
    const body = text
      .split('\n\n')
      .map((p) => `<p style="margin:0 0 12px 0;font-family:Arial,sans-serif">${p}</p>`)
      .join('\n');
    const doc =
      '<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; ' +
      'charset=utf-8"><style>body{color:#222}</style></head>\n<body><div class="content">\n' +
      `${body}\n</div></body></html>\n`;
    return quotedPrintable(doc);
  }
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** RFC 2045 §6.7 quoted-printable of UTF-8 text, soft breaks before 76 columns. */
function quotedPrintable(text: string): string {
  const escaped = text.replace(/[=\u0080-\uffff]|[ \t](?=\n|$)/g, (c) =>
    [...Buffer.from(c, 'utf8')]
      .map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
  const out: string[] = [];
  for (const line of escaped.split('\n')) {
    let rest = line;
    while (rest.length > 75) {
      let cut = 75;
      // Never split an =XX escape.
      if (rest.charCodeAt(cut - 1) === 61) cut -= 1;
      else if (rest.charCodeAt(cut - 2) === 61) cut -= 2;
      out.push(`${rest.slice(0, cut)}=`);
      rest = rest.slice(cut);
    }
    out.push(rest);
  }
  return out.join('\n');
}

function encodedWord(text: string, g: Gen): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  if (g.random() < 0.5) return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
  const q = [...Buffer.from(text, 'utf8')]
    .map((b) =>
      b === 32
        ? '_'
        : (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
          ? String.fromCharCode(b)
          : `=${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
  return `=?UTF-8?Q?${q}?=`;
}

function rfc5322Date(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${zone}`
  );
}

interface Person {
  readonly display: string;
  readonly address: string;
}

function person(g: Gen): Person {
  const first = g.pick(FIRST_NAMES);
  const last = g.pick(LAST_NAMES);
  const local = `${first}.${last}`
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .toLowerCase()
    .replace(/[^a-z.]/g, '');
  const address = `${local || 'user' + g.int(1000)}@${g.pick(DOMAINS)}`;
  const name = `${first} ${last}`;
  const display = /^[\x20-\x7e]*$/.test(name)
    ? `${name} <${address}>`
    : `${encodedWord(name, g)} <${address}>`;
  return { display, address };
}

/** One message as pieces of bytes (attachments are slices of the pool, never copied). */
interface Built {
  readonly pieces: Buffer[];
  readonly attachment: boolean;
  readonly marker: boolean;
}

function header(fields: [string, string][]): string {
  return fields.map(([k, v]) => `${k}: ${v}\n`).join('');
}

function receivedChain(g: Gen, ms: number, from: string): [string, string][] {
  const hops = 2 + g.int(3);
  const out: [string, string][] = [];
  for (let i = 0; i < hops; i++) {
    const ip = `192.0.2.${1 + g.int(250)}`;
    const id = Math.floor(g.random() * 2 ** 40)
      .toString(36)
      .toUpperCase();
    out.push([
      'Received',
      `from mx${i + 1}.${from.split('@')[1]} (mx${i + 1}.${from.split('@')[1]} [${ip}])\n` +
        `\tby ${i === 0 ? HOST : `relay${i}.example.net`} (Postfix) with ESMTPS id ${id}\n` +
        `\tfor <me@example.com>; ${rfc5322Date(ms - i * 1500, 0)}`,
    ]);
  }
  return out;
}

function dkim(g: Gen, pool: Buffer, domain: string): string {
  const at = g.int(pool.length / 77 - 8) * 77;
  const b = pool
    .subarray(at, at + 77 * 5)
    .toString('latin1')
    .replace(/\n/g, '');
  const bh = pool.subarray(at + 400, at + 444).toString('latin1');
  const sig = b.slice(0, 344);
  const folded = sig.match(/.{1,70}/g)!.join('\n\t ');
  return (
    `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${domain}; s=sel2021;\n` +
    `\th=from:to:subject:date:message-id:mime-version:content-type;\n\tbh=${bh};\n\tb=${folded}`
  );
}

function attachmentPart(g: Gen, pool: Buffer, bytes: number, boundary: string): Buffer[] {
  const [type, ext] = g.pick(ATTACHMENTS);
  const name = `${g.pick(['scan', 'report', 'photo', 'invoice', 'notes', 'Übersicht'])}-${g.int(10000)}.${ext}`;
  const lines = Math.max(1, Math.ceil((bytes * 4) / 3 / 76));
  const poolLines = pool.length / 77;
  const start = g.int(Math.max(1, poolLines - lines)) * 77;
  const slice = pool.subarray(start, start + Math.min(lines, poolLines) * 77);
  const quotedName = /^[\x20-\x7e]*$/.test(name) ? `"${name}"` : `"${encodedWord(name, g)}"`;
  const head =
    `--${boundary}\nContent-Type: ${type}; name=${quotedName}\n` +
    `Content-Disposition: attachment; filename=${quotedName}\n` +
    `Content-Transfer-Encoding: base64\n\n`;
  return [Buffer.from(head, 'utf8'), slice];
}

function buildMessage(g: Gen, w: Writer, pool: Buffer, i: number, ms: number): Built {
  const sender =
    g.random() < 0.03
      ? { display: 'Hannah Berg <hannah.berg@example.org>', address: 'hannah.berg@example.org' }
      : person(g);
  const domain = sender.address.split('@')[1]!;
  const kind = g.random();
  const marker = g.random() < 0.02;
  const large = g.random() < 0.002;
  const withAttachment = large || g.random() < 0.1;
  const reply = g.random() < 0.3;
  const subjectWords = w.words(3 + g.int(6));
  let subject = subjectWords.charAt(0).toUpperCase() + subjectWords.slice(1);
  if (reply) subject = `Re: ${subject}`;
  const fields: [string, string][] = [
    ['Return-Path', `<${sender.address}>`],
    ['Delivered-To', 'me@example.com'],
    ...receivedChain(g, ms, sender.address),
    ['DKIM-Signature', dkim(g, pool, domain)],
    ['From', sender.display],
    ['To', g.random() < 0.8 ? 'Me <me@example.com>' : `me@example.com, ${person(g).display}`],
  ];
  if (g.random() < 0.2) fields.push(['Cc', `${person(g).display}, ${person(g).display}`]);
  fields.push(['Subject', encodedWord(subject, g)]);
  fields.push([
    'Date',
    rfc5322Date(ms - 5_000 - g.int(600_000), g.pick([0, 60, 120, -300, -420, 330, 540])),
  ]);
  fields.push(['Message-ID', `<${i}.${Math.floor(g.random() * 1e9).toString(36)}@${domain}>`]);
  if (reply) {
    const ref = `<${Math.max(0, i - 1 - g.int(50))}.ref@${domain}>`;
    fields.push(['In-Reply-To', ref], ['References', ref]);
  }
  fields.push(['MIME-Version', '1.0']);
  const textBytes = Math.max(200, Math.min(logNormal(g, kind < 0.35 ? 6000 : 4500, 0.8), 60_000));
  const text =
    w.text(textBytes, marker) +
    (reply
      ? `\nOn an earlier day, someone wrote:\n> ${wrap(w.words(60), 70).replace(/\n/g, '\n> ')}\n`
      : '');
  const pieces: Buffer[] = [];
  const boundary = `----=_Part_${i}_${Math.floor(g.random() * 1e9)}`;
  const inner = `----=_Alt_${i}_${Math.floor(g.random() * 1e9)}`;
  const altType = `multipart/alternative; boundary="${inner}"`;
  const altBody =
    `--${inner}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${text}\n` +
    `--${inner}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n${w.html(text)}\n` +
    `--${inner}--\n`;
  if (withAttachment) {
    fields.push(['Content-Type', `multipart/mixed; boundary="${boundary}"`]);
    let body = `This is a multi-part message in MIME format.\n\n--${boundary}\n`;
    body +=
      kind < 0.4
        ? `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${text}\n`
        : `Content-Type: ${altType}\n\n${altBody}`;
    pieces.push(Buffer.from(header(fields) + '\n' + body, 'utf8'));
    const count = large ? 1 : 1 + (g.random() < 0.25 ? 1 : 0);
    for (let a = 0; a < count; a++) {
      const bytes = large
        ? Math.min(1_000_000 + logNormal(g, 1_500_000, 0.5), 8_000_000)
        : Math.min(logNormal(g, 40_000, 1.0), 600_000);
      pieces.push(...attachmentPart(g, pool, bytes, boundary));
    }
    pieces.push(Buffer.from(`--${boundary}--\n`, 'latin1'));
  } else if (kind < 0.35) {
    fields.push(
      ['Content-Type', 'text/plain; charset=utf-8; format=flowed'],
      ['Content-Transfer-Encoding', '8bit'],
    );
    pieces.push(Buffer.from(header(fields) + '\n' + text, 'utf8'));
  } else if (kind < 0.93) {
    if (kind > 0.8)
      fields.push(
        ['List-Unsubscribe', `<https://${domain}/unsubscribe/${i}>`],
        ['List-Id', `News <news.${domain}>`],
      );
    fields.push(['Content-Type', altType]);
    pieces.push(Buffer.from(header(fields) + '\n' + altBody, 'utf8'));
  } else if (kind < 0.97) {
    // A forwarded message, attached whole.
    fields.push(['Content-Type', `multipart/mixed; boundary="${boundary}"`]);
    const forwarded =
      `From: ${person(g).display}\nTo: ${sender.display}\nSubject: ${encodedWord(w.words(5), g)}\n` +
      `Date: ${rfc5322Date(ms - 86_400_000, 0)}\nMessage-ID: <fwd${i}@${domain}>\nMIME-Version: 1.0\n` +
      `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${w.text(1500, false)}`;
    const body =
      `--${boundary}\nContent-Type: text/plain; charset=utf-8\n\nSee below.\n\n--${boundary}\n` +
      `Content-Type: message/rfc822\nContent-Disposition: inline\n\n${forwarded}\n--${boundary}--\n`;
    pieces.push(Buffer.from(header(fields) + '\n' + body, 'utf8'));
  } else {
    // An invitation: text and text/calendar.
    fields.push(['Content-Type', `multipart/alternative; boundary="${boundary}"`]);
    const day = new Date(ms + 7 * 86_400_000).toISOString().replace(/[-:]/g, '').slice(0, 15);
    const body =
      `--${boundary}\nContent-Type: text/plain; charset=utf-8\n\n${text}\n--${boundary}\n` +
      `Content-Type: text/calendar; charset=utf-8; method=REQUEST\n\nBEGIN:VCALENDAR\nVERSION:2.0\n` +
      `BEGIN:VEVENT\nUID:ev${i}@${domain}\nDTSTART:${day}Z\nSUMMARY:${w.words(4)}\nEND:VEVENT\n` +
      `END:VCALENDAR\n--${boundary}--\n`;
    pieces.push(Buffer.from(header(fields) + '\n' + body, 'utf8'));
  }
  return { pieces, attachment: withAttachment, marker };
}

function countLf(buffers: readonly Buffer[]): number {
  let n = 0;
  for (const b of buffers) for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}

let cachedPool: { seed: number; pool: Buffer } | undefined;

/** Writes `count` messages into every target Maildir (INBOX: cur/ and a dovecot-uidlist). */
export function writeCorpus(
  count: number,
  seed: number,
  targets: readonly CopyTarget[],
): CorpusStats {
  const started = performance.now();
  if (cachedPool?.seed !== seed) cachedPool = { seed, pool: base64Pool(seed) };
  const pool = cachedPool.pool;
  const g = gen(seed);
  const w = new Writer(g);
  for (const t of targets) {
    for (const sub of ['', 'cur', 'new', 'tmp']) {
      mkdirSync(join(t.maildir, sub), { recursive: true, mode: 0o700 });
      if (t.owner) chownSync(join(t.maildir, sub), t.owner.uid, t.owner.gid);
    }
  }
  const uidValidity = 1_600_000_000 + (seed % 1_000_000);
  const uidlist: string[] = [
    `3 V${uidValidity} N${count + 1} G${((BigInt(seed) * 0x9e3779b97f4a7c15n) % 2n ** 128n).toString(16).padStart(32, '0')}`,
  ];
  const sizes: number[] = [];
  let totalFile = 0;
  let totalWire = 0;
  let attachments = 0;
  let markers = 0;
  let ms = START_MS;
  for (let i = 0; i < count; i++) {
    ms += 60_000 + g.int(30 * 60_000);
    const built = buildMessage(g, w, pool, i, ms);
    const size = built.pieces.reduce((n, p) => n + p.length, 0);
    const wire = size + countLf(built.pieces);
    const flags = g.random() < 0.1 ? '' : g.pick(['S', 'S', 'S', 'S', 'RS', 'FS']);
    const base = `${Math.floor(ms / 1000)}.M${(ms % 1000) * 1000 + g.int(1000)}P${1000 + (i % 30000)}.${HOST},S=${size},W=${wire}`;
    const fileName = `${base}:2,${flags}`;
    for (const t of targets) {
      const fd = openSync(join(t.maildir, 'cur', fileName), 'w', 0o600);
      try {
        for (const piece of built.pieces) {
          for (let at = 0; at < piece.length;) at += writeSync(fd, piece, at);
        }
        futimesSync(fd, ms / 1000, ms / 1000);
        if (t.owner) fchownSync(fd, t.owner.uid, t.owner.gid);
      } finally {
        closeSync(fd);
      }
    }
    uidlist.push(`${i + 1} :${base}`);
    sizes.push(size);
    totalFile += size;
    totalWire += wire;
    if (built.attachment) attachments += 1;
    if (built.marker) markers += 1;
  }
  for (const t of targets) {
    const path = join(t.maildir, 'dovecot-uidlist');
    writeFileSync(path, uidlist.join('\n') + '\n', { mode: 0o600 });
    if (t.owner) chownSync(path, t.owner.uid, t.owner.gid);
  }
  sizes.sort((a, b) => a - b);
  return {
    messages: count,
    totalFileBytes: totalFile,
    totalWireBytes: totalWire,
    medianFileBytes: sizes[Math.floor(count / 2)] ?? 0,
    p90FileBytes: sizes[Math.floor(count * 0.9)] ?? 0,
    largest: sizes.at(-1) ?? 0,
    multiMegabyte: sizes.filter((s) => s >= 1_000_000).length,
    withAttachment: attachments,
    uidValidity,
    firstArrival: START_MS,
    lastArrival: ms,
    markerMessages: markers,
    seconds: (performance.now() - started) / 1000,
  };
}
