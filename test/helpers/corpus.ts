/**
 * A seeded generator of varied messages written as Maildir files: plain and multipart,
 * attachments, RFC 2047 headers, lines that start with ".", LF-only and CRLF files, files
 * without a final line end, 8-bit text and a few large messages. The same seed gives the same
 * corpus, so a failure can be reproduced.
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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

const WORDS = [
  'mail',
  'port',
  'phone',
  'lunch',
  'meeting',
  'über',
  'café',
  'naïve',
  '日本',
  'invoice',
  'the',
  'a',
  'of',
];

export interface CorpusOptions {
  readonly count: number;
  readonly seed: number;
  /** Share of large (≥ 1 MiB) messages; default 0.002. */
  readonly largeShare?: number;
}

export interface GeneratedMessage {
  readonly fileName: string;
  readonly bytes: Buffer;
}

export function generateMessages(options: CorpusOptions): GeneratedMessage[] {
  const random = rng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const words = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const messages: GeneratedMessage[] = [];
  const start = 1_700_000_000;
  for (let i = 0; i < options.count; i++) {
    const kind = pick(['plain', 'plain', 'alternative', 'attachment', 'dots', 'encoded'] as const);
    const large = random() < (options.largeShare ?? 0.002);
    const headers = [
      `From: ${pick(['Alice <alice@example.org>', '=?UTF-8?B?SsO8cmdlbg==?= <j@example.org>', 'bob@example.net'])}`,
      `To: me@example.com`,
      `Subject: ${kind === 'encoded' ? '=?ISO-8859-1?Q?Caf=E9_?= ' : ''}${words(4)} #${i}`,
      `Date: ${new Date((start + i * 3600) * 1000).toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <m${i}.${options.seed}@example.org>`,
    ];
    let body: string;
    if (kind === 'alternative' || kind === 'attachment') {
      const boundary = `b${i}x`;
      headers.push(
        'MIME-Version: 1.0',
        `Content-Type: multipart/${kind === 'alternative' ? 'alternative' : 'mixed'}; boundary="${boundary}"`,
      );
      const second =
        kind === 'alternative'
          ? `Content-Type: text/html; charset=utf-8\n\n<p>${words(20)}</p>\n`
          : `Content-Type: application/octet-stream; name="f${i}.bin"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="f${i}.bin"\n\n${base64Lines(random, large ? 1_500_000 : 2000 + Math.floor(random() * 20000))}`;
      body = `--${boundary}\nContent-Type: text/plain; charset=utf-8\n\n${words(30)}\n--${boundary}\n${second}--${boundary}--\n`;
    } else if (kind === 'dots') {
      body = `.leading dot\n..two dots\n.\nmiddle . dot\n${words(10)}\n.\n`;
    } else {
      headers.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
      const lines = large ? 40_000 : 1 + Math.floor(random() * 60);
      body =
        Array.from({ length: lines }, () => words(1 + Math.floor(random() * 15))).join('\n') + '\n';
    }
    let text = `${headers.join('\n')}\n\n${body}`;
    const style = random();
    if (style < 0.4) text = text.replace(/\n/g, '\r\n'); // CRLF file
    if (style > 0.9) text = text.replace(/\r?\n$/, ''); // no final line end
    const seconds = start + i * 60;
    const flags = pick(['', '', 'S', 'FS', 'RS']);
    const fileName = `${seconds}.M${i}P${options.seed}.corpus${random() < 0.5 ? ':2,' + flags : ''}`;
    messages.push({ fileName, bytes: Buffer.from(text, 'utf8') });
  }
  return messages;
}

function base64Lines(random: () => number, bytes: number): string {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = Math.floor(random() * 256);
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\n') + '\n';
}

/** Writes the corpus into `maildir` (INBOX): files with ":2," in cur/, the rest in new/. */
export async function writeCorpus(
  maildir: string,
  messages: readonly GeneratedMessage[],
): Promise<void> {
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
  for (const m of messages) {
    const path = join(maildir, m.fileName.includes(':2,') ? 'cur' : 'new', m.fileName);
    await writeFile(path, m.bytes);
    const seconds = Number(m.fileName.split('.')[0]);
    await utimes(path, seconds, seconds);
  }
}

/** The bytes a client must receive for a stored file: every bare LF as CRLF. */
export function wireBytes(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}
