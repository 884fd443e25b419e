/**
 * BODY[HEADER.FIELDS (…)] and BODY[HEADER.FIELDS.NOT (…)] (RFC 3501 §6.4.5): the fields whose
 * names are (or are not) listed, each with its continuation lines exactly as stored, then the
 * empty line that ends a header.
 */
import { parseHeader } from './header.js';

export function headerFields(header: Buffer, names: readonly string[], not: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const parts: Buffer[] = [];
  for (const f of parseHeader(header)) {
    if (wanted.has(f.name.toLowerCase()) !== not) {
      const bytes = header.subarray(f.start, f.end);
      parts.push(bytes);
      if (bytes[bytes.length - 1] !== 0x0a) parts.push(CRLF);
    }
  }
  // The empty line that ends a header: always for HEADER.FIELDS; for .NOT only when the
  // header had one (Dovecot's behaviour, checked by the differential test).
  if (!not || /\n\r?\n$|^\r?\n$/.test(header.toString('latin1', Math.max(0, header.length - 4))))
    parts.push(CRLF);
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n');
