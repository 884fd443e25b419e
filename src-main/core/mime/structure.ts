/**
 * MIME structure (RFC 2045, RFC 2046) of a message in wire form (CRLF): every part with its
 * header and body offsets and the facts BODYSTRUCTURE reports. Never throws; nesting deeper
 * than MAX_MIME_DEPTH is treated as an opaque leaf.
 */
import { envelopeOf, type Envelope } from './envelope.js';
import { field, headerEnd, parseHeader, unfold } from './header.js';
import { parseParams } from './params.js';

export const MAX_MIME_DEPTH = 100;

export interface Disposition {
  readonly type: string;
  readonly params: readonly [string, string][];
}

export interface BodyPart {
  /** Byte offsets into the message Buffer (wire form, CRLF line ends). */
  readonly headerStart: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  /** As written in Content-Type (or the default text/plain). */
  readonly type: string;
  readonly subtype: string;
  readonly params: readonly [string, string][];
  readonly id: string | null;
  readonly description: string | null;
  readonly encoding: string;
  readonly size: number;
  readonly lines: number;
  readonly md5: string | null;
  readonly disposition: Disposition | null;
  readonly language: readonly string[] | null;
  readonly location: string | null;
  readonly children: readonly BodyPart[];
  /** message/rfc822 (and message/global): the encapsulated message. */
  readonly message?: { readonly envelope: Envelope; readonly body: BodyPart };
}

export function parseMessage(message: Buffer): BodyPart {
  return parsePart(message, 0, message.length, 0, false);
}

function parsePart(
  buf: Buffer,
  start: number,
  end: number,
  depth: number,
  inDigest: boolean,
): BodyPart {
  const bodyStart = headerEnd(buf, start, end);
  const fields = parseHeader(buf, start, bodyStart);
  const value = (name: string): string | null => {
    const f = field(fields, name);
    return f ? unfold(f.raw) : null;
  };
  const contentType = value('Content-Type');
  const parsed = parseParams(contentType ?? '');
  const slash = parsed.value.indexOf('/');
  let type = slash === -1 ? parsed.value : parsed.value.slice(0, slash).trim();
  let subtype = slash === -1 ? '' : parsed.value.slice(slash + 1).trim();
  let params = mergeContinuations(parsed.params);
  if (!type) {
    // RFC 2045 §5.2 default; in a multipart/digest the default is message/rfc822 (RFC 2046 §5.1.5).
    [type, subtype] = inDigest ? ['message', 'rfc822'] : ['text', 'plain'];
    params = [];
  }
  if (type.toLowerCase() === 'text' && !params.some(([k]) => k.toLowerCase() === 'charset')) {
    params = [['charset', 'us-ascii'], ...params]; // as Dovecot reports it
  }
  const disposition = value('Content-Disposition');
  const dispParsed = disposition ? parseParams(disposition) : undefined;
  const language = value('Content-Language');
  const base = {
    headerStart: start,
    bodyStart,
    bodyEnd: end,
    type,
    subtype,
    params,
    id: value('Content-ID'),
    description: value('Content-Description'),
    encoding: value('Content-Transfer-Encoding') || '7bit',
    size: end - bodyStart,
    lines: countLines(buf, bodyStart, end),
    md5: value('Content-MD5'),
    disposition:
      dispParsed && dispParsed.value
        ? { type: dispParsed.value, params: mergeContinuations(dispParsed.params) }
        : null,
    language: language ? language.split(/[ \t]*,[ \t]*/).filter(Boolean) : null,
    location: value('Content-Location'),
  };
  const lowerType = type.toLowerCase();
  const lowerSub = subtype.toLowerCase();
  if (depth < MAX_MIME_DEPTH && lowerType === 'multipart') {
    const boundary = params.find(([k]) => k.toLowerCase() === 'boundary')?.[1];
    if (!boundary) {
      // Dovecot shows a multipart without a boundary as holding one empty text/plain part.
      return { ...base, children: [emptyTextPart(end)] };
    }
    const digest = lowerSub === 'digest';
    const children = splitMultipart(buf, bodyStart, end, boundary).map(([s, e]) => {
      // A nested multipart that ends with its own closing delimiter keeps that line's end.
      const lineEnd = e < end && buf[e] === 0x0d ? 2 : 1;
      const keep = endsWithClosingDelimiter(buf, s, e) ? Math.min(e + lineEnd, end) : e;
      return parsePart(buf, s, keep, depth + 1, digest);
    });
    return { ...base, children };
  }
  if (
    depth < MAX_MIME_DEPTH &&
    lowerType === 'message' &&
    (lowerSub === 'rfc822' || lowerSub === 'global')
  ) {
    const inner = parsePart(buf, bodyStart, end, depth + 1, false);
    const envelope = envelopeOf(buf.subarray(bodyStart, inner.bodyStart));
    return { ...base, children: [], message: { envelope, body: inner } };
  }
  return { ...base, children: [] };
}

/**
 * Part ranges of a multipart body: each starts after a `--boundary` line and ends before the
 * CRLF that precedes the next delimiter line (RFC 2046 §5.1.1). An unterminated last part
 * runs to the end.
 */
function splitMultipart(
  buf: Buffer,
  start: number,
  end: number,
  boundary: string,
): [number, number][] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const ranges: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const found = buf.indexOf(delimiter, pos);
    if (found === -1 || found >= end) break;
    const atLineStart = found === start || buf[found - 1] === 0x0a;
    const after = found + delimiter.length;
    if (!atLineStart || !delimiterEnds(buf, after, end)) {
      pos = after;
      continue;
    }
    const closing = buf[after] === 0x2d && buf[after + 1] === 0x2d;
    const lineEnd = buf.indexOf(0x0a, after);
    const nextLine = lineEnd === -1 || lineEnd >= end ? end : lineEnd + 1;
    if (partStart !== -1) {
      let partEnd = found;
      if (partEnd > partStart && buf[partEnd - 1] === 0x0a) partEnd--;
      if (partEnd > partStart && buf[partEnd - 1] === 0x0d) partEnd--;
      ranges.push([partStart, Math.max(partStart, partEnd)]);
    }
    if (closing) return ranges;
    partStart = nextLine;
    pos = nextLine;
  }
  if (partStart !== -1) ranges.push([partStart, end]);
  return ranges;
}

function emptyTextPart(at: number): BodyPart {
  return {
    headerStart: at,
    bodyStart: at,
    bodyEnd: at,
    type: 'text',
    subtype: 'plain',
    params: [['charset', 'us-ascii']],
    id: null,
    description: null,
    encoding: '7bit',
    size: 0,
    lines: 0,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    children: [],
  };
}

/**
 * Whether the range's last line is `--X--` for an `X` that also opens a part inside the range
 * (`--X` at a line start): the closing delimiter of a multipart nested in it.
 */
function endsWithClosingDelimiter(buf: Buffer, start: number, end: number): boolean {
  const lastLineStart = Math.max(buf.lastIndexOf(0x0a, end - 1) + 1, start);
  const lastLine = buf.toString('latin1', lastLineStart, end).trimEnd();
  const m = /^--(.+)--$/.exec(lastLine);
  if (!m) return false;
  const opener = Buffer.from(`--${m[1]}`, 'latin1');
  for (
    let at = buf.indexOf(opener, start);
    at !== -1 && at < lastLineStart;
    at = buf.indexOf(opener, at + 1)
  ) {
    if (at === start || buf[at - 1] === 0x0a) return true;
  }
  return false;
}

/**
 * RFC 2231 §3 continuations (`name*0`, `name*1`…) joined into one parameter; encoded ones
 * (`name*0*`) into `name*` with their raw values, as Dovecot shows them.
 */
function mergeContinuations(params: readonly [string, string][]): [string, string][] {
  const out: [string, string][] = [];
  const pieces = new Map<string, { index: number; value: string; encoded: boolean }[]>();
  for (const [name, value] of params) {
    const m = /^(.+)\*(\d+)(\*?)$/.exec(name);
    if (!m) {
      out.push([name, value]);
      continue;
    }
    const key = m[1]!.toLowerCase();
    if (!pieces.has(key)) {
      pieces.set(key, []);
      out.push([m[1]!, '\0continuation']);
    }
    pieces.get(key)!.push({ index: Number(m[2]), value, encoded: m[3] === '*' });
  }
  return out.map(([name, value]) => {
    if (value !== '\0continuation') return [name, value];
    const list = pieces.get(name.toLowerCase())!.sort((a, b) => a.index - b.index);
    const joined = list.map((p) => p.value).join('');
    return [list.some((p) => p.encoded) ? `${name}*` : name, joined];
  });
}

/** After `--boundary`: "--", or optional whitespace then the line end (RFC 2046 §5.1.1). */
function delimiterEnds(buf: Buffer, at: number, end: number): boolean {
  if (buf[at] === 0x2d && buf[at + 1] === 0x2d) return true;
  let i = at;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  return i >= end || buf[i] === 0x0d || buf[i] === 0x0a;
}

function countLines(buf: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let i = buf.indexOf(0x0a, start); i !== -1 && i < end; i = buf.indexOf(0x0a, i + 1)) lines++;
  return lines;
}

/**
 * RFC 3501 §6.4.5 section part numbers: [] is the whole message; a non-multipart message has
 * only part 1 (its body); a message/rfc822 part's numbers continue inside the message it holds.
 */
export function findPart(root: BodyPart, path: readonly number[]): BodyPart | undefined {
  let current = root;
  for (const [depth, n] of path.entries()) {
    const container = depth > 0 && current.message ? current.message.body : current;
    if (container.children.length > 0) {
      const child = container.children[n - 1];
      if (!child) return undefined;
      current = child;
    } else if (n === 1) {
      current = container;
    } else {
      return undefined;
    }
  }
  return current;
}
