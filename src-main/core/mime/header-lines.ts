/**
 * Header fields (RFC 5322 §2.2) split the way Dovecot's message-header-parser splits them:
 * a line starting with SP or HTAB continues the field above (§2.2.3 folding); the name is
 * everything before the first ":" with trailing whitespace removed (a line without ":" is a
 * field with an empty name whose value is the whole line; so is one whose name would be
 * longer than 1000 octets); an empty line ends the header.
 */

const LF = 0x0a;
const CR = 0x0d;
const MAX_NAME_LENGTH = 1000;

export interface HeaderField {
  /** Field name as written (byte string); '' for a line without ":". */
  readonly name: string;
  /**
   * The name for comparisons: up to the first NUL (Dovecot compares C strings) and in ASCII
   * lower case (strcasecmp).
   */
  readonly key: string;
  /**
   * The unfolded value as Dovecot hands it on: the first line after ":" with leading
   * whitespace skipped (only one octet when the line is nothing but whitespace), then each
   * continuation line after an LF. A CR before each LF is dropped. Byte string.
   */
  readonly value: string;
  /** Offset of the field's first octet. */
  readonly start: number;
  /** Offset just past the field's last line end (or the end of input). */
  readonly end: number;
}

export interface HeaderBlock {
  readonly fields: HeaderField[];
  /** Offset of the empty line that ends the header, or -1 if input ended first. */
  readonly eohStart: number;
  /** Offset just past the header (past the empty line when there is one). */
  readonly end: number;
}

const isLwsp = (c: number | undefined): boolean => c === 0x20 || c === 0x09;

/** End of the line starting at `pos` (the LF's offset, or `end`). */
function lineEnd(buf: Buffer, pos: number, end: number): number {
  const i = buf.indexOf(LF, pos);
  return i === -1 || i >= end ? end : i;
}

/** Reads fields from buf[start, end) up to and including the empty line that ends them. */
export function readHeader(buf: Buffer, start: number, end: number): HeaderBlock {
  const fields: HeaderField[] = [];
  let pos = start;
  while (pos < end) {
    const lf = lineEnd(buf, pos, end);
    if (lf === pos || (buf[pos] === CR && lf === pos + 1)) {
      return { fields, eohStart: pos, end: Math.min(lf + 1, end) };
    }
    const field = readField(buf, pos, end);
    fields.push(field);
    pos = field.end;
  }
  return { fields, eohStart: -1, end };
}

/** One field starting at `pos` (not an empty line), with its continuation lines. */
export function readField(buf: Buffer, pos: number, end: number): HeaderField {
  let lf = lineEnd(buf, pos, end);
  const line = contentOf(buf, pos, lf, end);
  const colon = line.indexOf(':');
  let name = '';
  let value = line;
  if (colon !== -1) {
    name = line.slice(0, colon).replace(/[ \t]+$/, '');
    value = skipInitialLwsp(line.slice(colon + 1));
    if (name.length > MAX_NAME_LENGTH) {
      name = '';
      value = line;
    }
  }
  let next = Math.min(lf + 1, end);
  while (next < end && isLwsp(buf[next])) {
    lf = lineEnd(buf, next, end);
    value += '\n' + contentOf(buf, next, lf, end);
    next = Math.min(lf + 1, end);
  }
  return { name, key: fieldKey(name), value, start: pos, end: next };
}

/** A field name as Dovecot compares it: cut at NUL, ASCII lower case. */
export function fieldKey(name: string): string {
  const nul = name.indexOf('\0');
  const cut = nul === -1 ? name : name.slice(0, nul);
  // On ASCII the full lower-casing is ASCII lower-casing, and much faster.
  return ASCII.test(cut) ? cut.toLowerCase() : cut.replace(/[A-Z]+/g, (c) => c.toLowerCase());
}

const ASCII = /^[\x00-\x7f]*$/;

/** The line's octets without the CR before its LF. */
function contentOf(buf: Buffer, pos: number, lf: number, end: number): string {
  const stop = lf < end && lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
  return buf.toString('latin1', pos, stop);
}

function skipInitialLwsp(v: string): string {
  let i = 0;
  while (i < v.length && (v[i] === ' ' || v[i] === '\t')) i++;
  if (i === v.length && v.length > 0) return v.slice(1);
  return v.slice(i);
}
