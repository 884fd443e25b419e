/**
 * BINARY sections (RFC 3516): content with its Content-Transfer-Encoding undone, as Dovecot
 * gives it. For BINARY[part] of a leaf, its body decoded: base64 and quoted-printable decoded,
 * 7bit, 8bit and binary as they are, any other encoding `NO [UNKNOWN-CTE]` (§4.3). A multipart
 * or message/rfc822 part (and BINARY[], the whole message) is its text with every part inside
 * decoded the same way, each decoded part's header saying `Content-Transfer-Encoding: binary`
 * instead of what it said (RFC 3516 §4.2 leaves the headers to the server; this is Dovecot's).
 * Content that was decoded, or that has a NUL, goes out as a literal8 `~{n}`.
 */
import { readHeader } from '../../mime/header-lines.js';
import { decodeBase64 } from '../../mime/encoded-words.js';
import { findPart, parseMessage, type BodyPart } from '../../mime/structure.js';
import type { OutputPart } from '../response.js';
import { decodeQuotedPrintableBody } from './quoted-printable.js';

/** A part whose encoding this server cannot undo; the FETCH ends with NO [UNKNOWN-CTE]. */
export class UnknownCteError extends Error {
  override name = 'UnknownCteError';
  /** The response so far (items before the failing one), sent before the NO as Dovecot does. */
  readonly partial: OutputPart[];
  constructor(partial: OutputPart[] = []) {
    super('Unknown Content-Transfer-Encoding');
    this.partial = partial;
  }
}

export interface BinaryContent {
  readonly bytes: Buffer;
  /** Send as literal8: something was decoded, or the content has a NUL. */
  readonly literal8: boolean;
}

type Cte = 'identity' | 'base64' | 'quoted-printable';
const CTE_BINARY_FIELD = 'Content-Transfer-Encoding: binary\r\n';

/**
 * The decoded content of part `path` ([] the whole message, header included), empty when
 * there is no such part, or UnknownCteError.
 */
export function binaryContent(message: Buffer, path: readonly number[]): BinaryContent {
  const root = parseMessage(message);
  const part = findPart(root, path);
  if (!part) return { bytes: Buffer.alloc(0), literal8: false };
  const out = new Converted(message);
  out.part(part, path.length === 0);
  return { bytes: Buffer.concat(out.chunks), literal8: out.decoded || out.chunks.some(hasNul) };
}

function hasNul(bytes: Buffer): boolean {
  return bytes.includes(0);
}

/** Collects the converted bytes of a part and the parts inside it. */
class Converted {
  readonly chunks: Buffer[] = [];
  decoded = false;
  readonly #message: Buffer;

  constructor(message: Buffer) {
    this.#message = message;
  }

  part(part: BodyPart, withHeader: boolean): void {
    const cte = transferEncoding(this.#message, part);
    if (withHeader) this.#header(part, cte !== 'identity');
    const children =
      part.kind === 'multipart'
        ? part.children
        : part.kind === 'message' && part.message
          ? [part.message.body]
          : [];
    if (children.length === 0) return this.#body(part, cte);
    let at = part.bodyStart;
    for (const child of children) {
      this.#raw(at, child.headerStart);
      this.part(child, true);
      at = child.bodyEnd;
    }
    this.#raw(at, part.bodyEnd);
  }

  #header(part: BodyPart, rewrite: boolean): void {
    if (!rewrite) return this.#raw(part.headerStart, part.bodyStart);
    const header = readHeader(this.#message, part.headerStart, part.bodyStart);
    const eoh = header.eohStart === -1 ? part.bodyStart : header.eohStart;
    for (const field of header.fields)
      if (field.key !== 'content-transfer-encoding') this.#raw(field.start, field.end);
    this.chunks.push(Buffer.from(CTE_BINARY_FIELD, 'latin1'));
    this.#raw(eoh, part.bodyStart);
  }

  #body(part: BodyPart, cte: Cte): void {
    const body = this.#message.subarray(part.bodyStart, part.bodyEnd);
    if (cte === 'identity' || body.length === 0) {
      this.chunks.push(body); // Dovecot converts nothing in an empty body
      return;
    }
    this.decoded = true;
    this.chunks.push(
      cte === 'base64' ? decodeBase64(body.toString('latin1')) : decodeQuotedPrintableBody(body),
    );
  }

  #raw(start: number, end: number): void {
    if (end > start) this.chunks.push(this.#message.subarray(start, end));
  }
}

/**
 * The part's Content-Transfer-Encoding (RFC 2045 §6.1): its last such field, as Dovecot reads
 * it (the first token, any case); none means 7bit.
 */
function transferEncoding(message: Buffer, part: BodyPart): Cte {
  const fields = readHeader(message, part.headerStart, part.bodyStart).fields.filter(
    (f) => f.key === 'content-transfer-encoding',
  );
  const last = fields.at(-1);
  if (!last) return 'identity';
  const token = (/^[\s]*([^\s;()<>@,:\\"/[\]?=]*)/.exec(last.value)?.[1] ?? '').toLowerCase();
  if (token === '7bit' || token === '8bit' || token === 'binary') return 'identity';
  if (token === 'base64' || token === 'quoted-printable') return token;
  throw new UnknownCteError();
}

/** RFC 3516 §4.2: `~{n}` for content sent as binary, `{n}` otherwise. */
export function binaryLiteral(bytes: Buffer, literal8: boolean): OutputPart[] {
  return [`${literal8 ? '~' : ''}{${bytes.length}}\r\n`, bytes];
}
