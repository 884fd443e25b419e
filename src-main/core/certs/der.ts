/**
 * Just enough DER (ITU-T X.690 §8 and §10) to read a certificate's extensions and to write
 * the name-constraints extension. The certificate check that runs shortly after each start
 * and every ten minutes reads certificates with node:crypto and this module; node-forge is
 * loaded only when a certificate is made or a PKCS #12 file imported (issue 16: forge costs
 * 30–60 ms of the event loop and a few MiB to load). It also reads what forge cannot: a
 * certificate with an elliptic-curve key, which a user may import.
 */

/** One element: its identifier octet and its contents octets. */
export interface DerElement {
  /** Class (bits 8–7), constructed (bit 6) and tag number (bits 5–1), as one octet. */
  readonly tag: number;
  readonly contents: Uint8Array;
  /** Where the element after it starts, in the octets it was read from. */
  readonly end: number;
}

/** Identifier octets used here (X.690 §8.1.2). */
export const TAG = {
  octetString: 0x04,
  objectIdentifier: 0x06,
  sequence: 0x30,
} as const;

const CONSTRUCTED = 0x20;

/** A context-specific tag `[number]`, primitive or constructed. */
export function contextTag(number: number, constructed: boolean): number {
  return 0x80 | (constructed ? CONSTRUCTED : 0) | number;
}

export class DerError extends Error {
  override name = 'DerError';
}

/**
 * The element at `offset`. Throws on what DER does not allow (an indefinite length, a length
 * not in its shortest form, §10.1) or on octets that end too soon. Tag numbers above 30 never
 * occur in a certificate and are refused as well.
 */
export function readElement(octets: Uint8Array, offset = 0): DerElement {
  if (offset + 2 > octets.length) throw new DerError('DER element cut short');
  const tag = octets[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('DER tag number above 30');
  let length = octets[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError('DER length indefinite or too large');
    if (start + count > octets.length || octets[start] === 0)
      throw new DerError('DER length cut short or not minimal');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + octets[start + i]!;
    if (length < 0x80) throw new DerError('DER length not minimal');
    start += count;
  }
  const end = start + length;
  if (end > octets.length) throw new DerError('DER element cut short');
  return { tag, contents: octets.subarray(start, end), end };
}

/**
 * The one element that `octets` must hold whole, with identifier `tag` (an extension's value:
 * nothing may follow it, as node-forge required before).
 */
export function readWhole(octets: Uint8Array, tag: number): DerElement {
  const element = readElement(octets);
  if (element.tag !== tag || element.end !== octets.length)
    throw new DerError('DER value is not one element of the expected type');
  return element;
}

/** A string element's contents as text, one character per octet (IA5String names). */
export function textOf(element: DerElement): string {
  return Buffer.from(element.contents).toString('latin1');
}

/** The elements a constructed element holds, in order; they must fill it exactly. */
export function childrenOf(element: DerElement): DerElement[] {
  if (!(element.tag & CONSTRUCTED)) throw new DerError('DER element is not constructed');
  const children: DerElement[] = [];
  for (let offset = 0; offset < element.contents.length;) {
    const child = readElement(element.contents, offset);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** An OBJECT IDENTIFIER's contents as dotted text (X.690 §8.19). */
export function objectIdentifier(contents: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const [i, octet] of contents.entries()) {
    // §8.19.2: a subidentifier is in its fewest octets (it never starts with 0x80).
    if (octet === 0x80 && (i === 0 || !(contents[i - 1]! & 0x80)))
      throw new DerError('bad object identifier');
    value = value * 128 + (octet & 0x7f);
    if (octet & 0x80) continue;
    arcs.push(value);
    value = 0;
  }
  if (arcs.length === 0 || contents.at(-1)! & 0x80) throw new DerError('bad object identifier');
  const first = arcs.shift()!;
  const top = Math.min(Math.floor(first / 40), 2);
  return [top, first - top * 40, ...arcs].join('.');
}

/**
 * The contents of the extnValue OCTET STRING of extension `oid` in a DER certificate, or
 * undefined when it has none (RFC 5280 §4.1: Certificate → tbsCertificate → extensions,
 * `[3] EXPLICIT`, a SEQUENCE of Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE,
 * extnValue }). Throws if the certificate's structure cannot be read.
 */
export function certificateExtension(certificate: Uint8Array, oid: string): Uint8Array | undefined {
  const [tbsCertificate] = childrenOf(readElement(certificate));
  if (!tbsCertificate) throw new DerError('certificate without tbsCertificate');
  const explicit = childrenOf(tbsCertificate).find((e) => e.tag === contextTag(3, true));
  if (!explicit) return undefined;
  const [extensions] = childrenOf(explicit);
  if (!extensions) return undefined;
  for (const extension of childrenOf(extensions)) {
    const [id, ...rest] = childrenOf(extension);
    if (id?.tag !== TAG.objectIdentifier || objectIdentifier(id.contents) !== oid) continue;
    const value = rest.at(-1);
    if (value?.tag !== TAG.octetString) throw new DerError('extension without a value');
    return value.contents;
  }
  return undefined;
}

/** One element with the given identifier octet around `contents` (definite, shortest length). */
export function encodeElement(tag: number, contents: Uint8Array | readonly Uint8Array[]): Buffer {
  const body = contents instanceof Uint8Array ? contents : Buffer.concat(contents);
  const length = body.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const octets: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
    header = [tag, 0x80 | octets.length, ...octets];
  }
  return Buffer.concat([Buffer.from(header), body]);
}
