/**
 * The MIME structure of a message (RFC 2045, RFC 2046 §5) as Dovecot 2.3's message-parser
 * sees it, with byte offsets for FETCH sections and the facts BODYSTRUCTURE reports
 * (RFC 3501 §7.4.2). Input is the wire form (CRLF line ends), so sizes are octet counts.
 *
 * Dovecot's rules, kept here because clients see them:
 * - A part is MIME when it is a multipart child, or its header has MIME-Version or
 *   Content-Type; otherwise its Content-* fields are ignored (text/plain, 7bit).
 * - No Content-Type: text/plain, or message/rfc822 inside multipart/digest (RFC 2046 §5.1.5).
 * - A boundary line is "--" + a known boundary at the start of a line (longest match, newest
 *   first; RFC 2046 §5.1.1); the CRLF before it belongs to the boundary. A boundary line
 *   inside a part's header ends that header. "--boundary--" closes that multipart and every
 *   multipart opened inside it; a multipart without (or with an unmatched) boundary has no
 *   children and ends at its parent's boundary or the end of the message.
 * - Nesting and part counts are bounded (limits.ts).
 */
import {
  readContentFields,
  noContentFields,
  type ContentFields,
  type Disposition,
} from './content-fields.js';
import type { Param } from './content-params.js';
import { envelopeOfFields, type Envelope } from './envelope.js';
import { readField, type HeaderField } from './header-lines.js';
import { MAX_NESTED_MIME_PARTS } from './limits.js';
import { scanParts, type PartDraft } from './part-scanner.js';

export type { Disposition } from './content-fields.js';
export type { Param } from './content-params.js';
export type { Envelope } from './envelope.js';

/** How BODYSTRUCTURE describes a part. */
export type PartKind = 'multipart' | 'message' | 'text' | 'basic';

export interface BodyPart {
  /** Byte offsets into the message Buffer (wire form, CRLF line ends). */
  readonly headerStart: number;
  /** End of the part's header as Dovecot counts it = start of its body. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly kind: PartKind;
  /**
   * Media type and subtype exactly as BODYSTRUCTURE prints them: as written in the header
   * (case kept, e.g. "TEXT" "Plain"), "text" "plain" without Content-Type, "message" "rfc822"
   * in lower case for an encapsulated message, "application" "octet-stream" for a part past
   * the nesting limit. A broken Content-Type gives its main type and "" (or "" and "").
   */
  readonly type: string;
  readonly subtype: string;
  /** Content-Type parameters as reported; text parts get ("charset" "us-ascii") if missing. */
  readonly params: readonly Param[];
  readonly id: string | null;
  readonly description: string | null;
  /** Content-Transfer-Encoding as written, "7bit" when absent or invalid. */
  readonly encoding: string;
  /** Body octets (bodyEnd - bodyStart). */
  readonly size: number;
  /** Body lines (LF count), reported for text and message parts. */
  readonly lines: number;
  readonly md5: string | null;
  readonly disposition: Disposition | null;
  readonly language: readonly string[] | null;
  readonly location: string | null;
  /** Multipart children (empty for other kinds). */
  readonly children: readonly BodyPart[];
  /** message/rfc822: the encapsulated message's envelope and root part. */
  readonly message?: { readonly envelope: Envelope; readonly body: BodyPart };
}

/**
 * Parses the structure; never throws, whatever the bytes. `withLines` false leaves every
 * part's `lines` 0 (SEARCH reads part texts only; counting is a pass over every line).
 */
export function parseMessage(message: Buffer, withLines = true): BodyPart {
  return plain7bit(toBodyPart(message, scanParts(message), withLines));
}

/**
 * The structure of a message stored with bare LF line ends and no CR anywhere (most Maildirs)
 * as `parseMessage` gives it for the wire form, without making the wire form: every part's
 * size becomes its wire size (each LF gains a CR, and `lines` counts the LFs of exactly that
 * range). Offsets stay those of `message`, so the result is for BODYSTRUCTURE, not sections.
 */
export function parseLfMessage(message: Buffer): BodyPart {
  return withWireSizes(parseMessage(message));
}

function withWireSizes(part: BodyPart): BodyPart {
  const inner = part.message;
  return {
    ...part,
    size: part.size + part.lines,
    children: part.children.map(withWireSizes),
    ...(inner && { message: { envelope: inner.envelope, body: withWireSizes(inner.body) } }),
  };
}

/**
 * Dovecot caches a message that is nothing but 7-bit US-ASCII text/plain as a flag and
 * answers BODY/BODYSTRUCTURE from a fixed template, so such a message is always reported
 * in lower case with the default charset and "7bit", however its header spelled them.
 */
function plain7bit(root: BodyPart): BodyPart {
  const charsetOnly = root.params.length === 1 && root.params[0]![0].toLowerCase() === 'charset';
  const plain =
    root.kind === 'text' &&
    root.subtype.toLowerCase() === 'plain' &&
    charsetOnly &&
    root.params[0]![1].toLowerCase() === 'us-ascii' &&
    root.id === null &&
    root.description === null &&
    root.encoding.toLowerCase() === '7bit' &&
    root.md5 === null &&
    root.disposition === null &&
    root.language === null &&
    root.location === null;
  if (!plain) return root;
  return {
    ...root,
    type: 'text',
    subtype: 'plain',
    params: [['charset', 'us-ascii']],
    encoding: '7bit',
  };
}

function toBodyPart(buf: Buffer, d: PartDraft, withLines: boolean): BodyPart {
  const fields = readFields(buf, d.headerStart, d.bodyStart);
  const c = d.isMime ? readContentFields(fields) : noContentFields();
  const common = {
    headerStart: d.headerStart,
    bodyStart: d.bodyStart,
    bodyEnd: d.bodyEnd,
    id: c.id,
    description: c.description,
    encoding: c.encoding ?? '7bit',
    size: d.bodyEnd - d.bodyStart,
    lines: withLines ? countLines(buf, d.bodyStart, d.bodyEnd) : 0,
    md5: c.md5,
    disposition: c.disposition,
    language: c.language,
    location: c.location,
  };
  if (d.multipart) {
    const children = d.children.map((child) => toBodyPart(buf, child, withLines));
    return {
      ...common,
      kind: 'multipart',
      type: c.type ?? 'multipart',
      subtype: c.subtype ?? '',
      params: c.params,
      children,
    };
  }
  if (d.rfc822 && d.children[0]) {
    const inner = d.children[0];
    const envelope = envelopeOfFields(readFields(buf, inner.headerStart, inner.bodyStart));
    const message = { envelope, body: toBodyPart(buf, inner, withLines) };
    return {
      ...common,
      kind: 'message',
      type: 'message',
      subtype: 'rfc822',
      params: c.params,
      children: [],
      message,
    };
  }
  return { ...common, ...leafType(d, c), children: [] };
}

function leafType(
  d: PartDraft,
  c: ContentFields,
): Pick<BodyPart, 'kind' | 'type' | 'subtype' | 'params'> {
  if (truncated(d, c))
    return { kind: 'basic', type: 'application', subtype: 'octet-stream', params: c.params };
  if (c.type === null)
    return { kind: 'text', type: 'text', subtype: 'plain', params: withCharset(c.params) };
  if (c.type.toLowerCase() === 'text')
    return { kind: 'text', type: c.type, subtype: c.subtype ?? '', params: withCharset(c.params) };
  return { kind: 'basic', type: c.type, subtype: c.subtype ?? '', params: c.params };
}

/**
 * A multipart or message/rfc822 (or a digest's untyped part) that was not opened, past the
 * nesting limit or with a type Dovecot could not use ("multipart" without subtype), is
 * reported as application/octet-stream, as Dovecot does.
 */
function truncated(d: PartDraft, c: ContentFields): boolean {
  if (c.type === null) return d.parent?.digest === true;
  const type = c.type.toLowerCase();
  return type === 'multipart' || (type === 'message' && c.subtype?.toLowerCase() === 'rfc822');
}

/** RFC 2045 §5.2: text defaults to charset=us-ascii; Dovecot reports the default. */
function withCharset(params: readonly Param[]): Param[] {
  if (params.some(([name]) => name.toLowerCase() === 'charset')) return [...params];
  return [...params, ['charset', 'us-ascii']];
}

function readFields(buf: Buffer, start: number, end: number): HeaderField[] {
  const fields: HeaderField[] = [];
  for (let pos = start; pos < end;) {
    if (buf[pos] === 0x0a || (buf[pos] === 0x0d && buf[pos + 1] === 0x0a)) break;
    const field = readField(buf, pos, end);
    fields.push(field);
    pos = field.end;
  }
  return fields;
}

function countLines(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a, start); i !== -1 && i < end; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * RFC 3501 §6.4.5 part numbers, resolved as Dovecot does: [] is the whole message; in a
 * multipart, n is its n-th child; any other part has only part 1 (itself); after a
 * message/rfc822 part the next number applies to the message it encapsulates.
 */
export function findPart(root: BodyPart, path: readonly number[]): BodyPart | undefined {
  let part: BodyPart | undefined = root;
  for (let i = 0; i < path.length && part; i++) {
    const n = path[i]!;
    const more = i + 1 < path.length;
    if (part.kind === 'multipart') part = part.children[Math.max(n, 1) - 1];
    else if (n !== 1 || (more && part.kind !== 'message')) part = undefined;
    if (part?.kind === 'message' && more) part = part.message?.body;
  }
  return part;
}

/** The nesting bound (limits.ts), under the name the IMAP layer already uses. */
export const MAX_MIME_DEPTH = MAX_NESTED_MIME_PARTS;
