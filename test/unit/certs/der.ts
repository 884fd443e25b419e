/**
 * Reads the extensions of a certificate straight from its DER (RFC 5280 §4.1), independently
 * of the code that wrote them, so tests see what a verifier sees.
 */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;

export interface Extension {
  readonly critical: boolean;
  /** The extnValue OCTET STRING's contents, parsed. */
  readonly value: forge.asn1.Asn1;
}

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  nameConstraints: '2.5.29.30',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
} as const;

function nodes(node: forge.asn1.Asn1): forge.asn1.Asn1[] {
  if (!Array.isArray(node.value)) throw new Error('not constructed');
  return node.value;
}

function bytes(node: forge.asn1.Asn1 | undefined): string {
  if (!node || typeof node.value !== 'string') throw new Error('not primitive');
  return node.value;
}

function certificate(x509: X509Certificate): forge.asn1.Asn1 {
  return asn1.fromDer(forge.util.createBuffer(x509.raw.toString('binary')));
}

export function extensions(x509: X509Certificate): Map<string, Extension> {
  const [tbs] = nodes(certificate(x509));
  const wrapper = nodes(tbs!).find(
    (n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && (n.type as number) === 3,
  );
  const out = new Map<string, Extension>();
  for (const ext of nodes(nodes(wrapper!)[0]!)) {
    const parts = nodes(ext);
    const oid = asn1.derToOid(bytes(parts[0]));
    const critical = parts.length === 3 && bytes(parts[1]) === '\xff';
    out.set(oid, { critical, value: asn1.fromDer(bytes(parts[parts.length - 1])) });
  }
  return out;
}

export function signatureAlgorithm(x509: X509Certificate): string {
  const [, algorithm] = nodes(certificate(x509));
  return asn1.derToOid(bytes(nodes(algorithm!)[0]));
}

/** The octets of a primitive value in hex, e.g. a context-tagged [0] keyIdentifier. */
export function hex(node: forge.asn1.Asn1 | undefined): string {
  return forge.util.bytesToHex(bytes(node));
}

/** The elements of a constructed value (none for undefined). */
export function children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return node ? nodes(node) : [];
}

/** The permitted subtrees of a NameConstraints value as OpenSSL prints them. */
export function permittedSubtrees(value: forge.asn1.Asn1): string[] {
  const [permitted] = children(value);
  return children(permitted).map((subtree) => {
    const base = children(subtree)[0]!;
    const raw = Buffer.from(bytes(base), 'binary');
    if ((base.type as number) === 2) return `DNS:${raw.toString('ascii')}`;
    const half = raw.length / 2;
    const show = (b: Buffer) =>
      half === 4 ? [...b].join('.') : (b.toString('hex').match(/..../g) ?? []).join(':');
    return `IP:${show(raw.subarray(0, half))}/${show(raw.subarray(half))}`;
  });
}
