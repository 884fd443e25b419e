/**
 * RFC 5322 §2.2 header fields: `name: value` lines with folded continuations, found by byte
 * offsets so sections can be cut from the message unchanged. Never throws.
 */
export interface HeaderField {
  /** The name as written. */
  readonly name: string;
  /** The raw value after the colon, folding kept (latin1 "bytes"). */
  readonly raw: string;
  /** Offsets of the whole field, its line ends included. */
  readonly start: number;
  readonly end: number;
}

/** The header block [start, end) split into fields; lines without a colon are skipped. */
export function parseHeader(message: Buffer, start = 0, end = message.length): HeaderField[] {
  const fields: HeaderField[] = [];
  let pos = start;
  while (pos < end) {
    let lineEnd = message.indexOf(0x0a, pos);
    if (lineEnd === -1 || lineEnd >= end) lineEnd = end - 1;
    let fieldEnd = lineEnd + 1;
    // Continuation lines start with a space or a tab.
    while (fieldEnd < end && (message[fieldEnd] === 0x20 || message[fieldEnd] === 0x09)) {
      const next = message.indexOf(0x0a, fieldEnd);
      fieldEnd = next === -1 || next >= end ? end : next + 1;
    }
    const text = message.toString('latin1', pos, fieldEnd);
    const colon = text.indexOf(':');
    const name = colon > 0 ? text.slice(0, colon) : '';
    if (name && /^[\x21-\x39\x3b-\x7e]+$/.test(name.trimEnd())) {
      fields.push({ name: name.trimEnd(), raw: text.slice(colon + 1), start: pos, end: fieldEnd });
    }
    pos = fieldEnd;
  }
  return fields;
}

/** Where the header ends and the body starts: after the first empty line (CRLF CRLF). */
export function headerEnd(message: Buffer, start = 0, end = message.length): number {
  if (message[start] === 0x0d && message[start + 1] === 0x0a) return Math.min(start + 2, end);
  if (message[start] === 0x0a) return Math.min(start + 1, end);
  for (
    let i = message.indexOf(0x0a, start);
    i !== -1 && i < end;
    i = message.indexOf(0x0a, i + 1)
  ) {
    if (message[i + 1] === 0x0a) return i + 2;
    if (message[i + 1] === 0x0d && message[i + 2] === 0x0a) return Math.min(i + 3, end);
  }
  return end; // no empty line: all header
}

/** The value with folding removed (CRLF before whitespace dropped) and outer whitespace trimmed. */
export function unfold(raw: string): string {
  return raw
    .replace(/\r?\n(?=[ \t])/g, '')
    .replace(/\r?\n$/, '')
    .trim();
}

/** The first field with this name (case-insensitive). */
export function field(fields: readonly HeaderField[], name: string): HeaderField | undefined {
  const lower = name.toLowerCase();
  return fields.find((f) => f.name.toLowerCase() === lower);
}
