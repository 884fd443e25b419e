/**
 * BODY[HEADER.FIELDS (…)] and BODY[HEADER.FIELDS.NOT (…)] (RFC 3501 §6.4.5) as Dovecot's
 * header filter returns them: each matching (or, with `not`, non-matching) field with its
 * continuation lines exactly as written, names compared without case and without trailing
 * whitespace before ":", then the empty line that ends the header.
 *
 * When the header has no empty line (a message without a body), Dovecot still ends
 * HEADER.FIELDS of the whole message with one CRLF (its header cache returns the fields as
 * written plus a line end; a last field cut off by the end of the file is not completed),
 * but adds nothing for HEADER.FIELDS.NOT or for the header of an encapsulated message;
 * `addMissingEmptyLine` defaults to that (true for HEADER.FIELDS).
 * Octets are returned as they are (NUL included: the caller's literal writer may map NUL to
 * 0x80, as Dovecot does for every literal).
 */
import { fieldKey, readHeader } from './header-lines.js';

export function headerFields(
  header: Buffer,
  names: readonly string[],
  not: boolean,
  addMissingEmptyLine = !not,
): Buffer {
  const wanted = new Set(names.map(fieldKey));
  const block = readHeader(header, 0, header.length);
  let out = '';
  for (const field of block.fields) {
    if (wanted.has(field.key) === not) continue;
    out += wireLines(header.toString('latin1', field.start, field.end));
  }
  if (block.eohStart !== -1 || addMissingEmptyLine) out += out.endsWith('\r') ? '\n' : '\r\n';
  return Buffer.from(out, 'latin1');
}

/**
 * Dovecot keeps header lines with one CR before each LF dropped and sends them with LF made
 * CRLF where no CR precedes it: "a\r\n" stays, "a\r\r\n" loses a CR, a last line cut off
 * by the end of the file is left unterminated.
 */
function wireLines(raw: string): string {
  return raw.replace(/\r?\n/g, (_m, offset: number) => (raw[offset - 1] === '\r' ? '\n' : '\r\n'));
}
