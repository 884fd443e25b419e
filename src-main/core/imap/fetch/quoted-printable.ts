/**
 * Quoted-printable body decoding for BINARY (RFC 2045 §6.7), line by line as Dovecot's
 * decoder does: whitespace at the end of a line was added in transport and is dropped
 * (rule 3), a final "=" joins the line to the next (rule 5, a soft line break), "=XX" is the
 * octet XX, and an "=" that starts neither is kept as it is. Lines end in CRLF.
 */
const EQUALS = 0x3d;

export function decodeQuotedPrintableBody(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length); // decoding never grows
  let length = 0;
  let start = 0;
  while (start < body.length) {
    const lf = body.indexOf(0x0a, start);
    const hasEnd = lf !== -1;
    let end = hasEnd ? lf : body.length;
    if (hasEnd && end > start && body[end - 1] === 0x0d) end--;
    while (end > start && (body[end - 1] === 0x20 || body[end - 1] === 0x09)) end--;
    const soft = end > start && body[end - 1] === EQUALS;
    length = decodeLine(body, start, soft ? end - 1 : end, out, length);
    if (hasEnd && !soft) {
      out[length++] = 0x0d;
      out[length++] = 0x0a;
    }
    start = hasEnd ? lf + 1 : body.length;
  }
  return out.subarray(0, length);
}

function decodeLine(src: Buffer, start: number, end: number, out: Buffer, at: number): number {
  let length = at;
  for (let i = start; i < end; i++) {
    if (src[i] === EQUALS && isEscape(src, i, end)) {
      out[length++] = hex(src[i + 1]!) * 16 + hex(src[i + 2]!);
      i += 2;
    } else out[length++] = src[i]!;
  }
  return length;
}

function isEscape(src: Buffer, i: number, end: number): boolean {
  return i + 2 < end && hex(src[i + 1]) !== -1 && hex(src[i + 2]) !== -1;
}

function hex(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}
