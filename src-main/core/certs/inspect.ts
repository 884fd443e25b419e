/** Reading certificates back: what they name, who signed them, whether a key belongs to them. */
import { X509Certificate } from 'node:crypto';
import { certificateExtension, childrenOf, contextTag, readWhole, TAG, textOf } from './der.js';
import { splitPem } from './pem.js';

export { keyMatches, parsePrivateKey, splitPem } from './pem.js';
import { bytesToIp } from './ip.js';
import {
  NAME_CONSTRAINTS_OID,
  nameConstraintsFromDer,
  type NameConstraints,
} from './name-constraints.js';

export interface ParsedCertificate {
  readonly pem: string;
  readonly x509: X509Certificate;
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  /** The permitted subtrees, if the certificate has a name-constraints extension we can read. */
  readonly constraints: NameConstraints | undefined;
}

const SUBJECT_ALT_NAME_OID = '2.5.29.17';
/** GeneralName's dNSName [2] (an IA5String) and iPAddress [7] (4 or 16 octets), RFC 5280 §4.2.1.6. */
const DNS_NAME = contextTag(2, false);
const IP_ADDRESS = contextTag(7, false);

/** The first certificate in `pem`, or undefined if there is none or it cannot be read. */
export function parseCertificate(pem: string): ParsedCertificate | undefined {
  const first = splitPem(pem)[0];
  if (!first) return undefined;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(first);
  } catch {
    return undefined;
  }
  return { pem: `${first}\n`, x509, ...extensionsOf(x509) };
}

/**
 * The names and the name constraints. A certificate OpenSSL reads but whose extensions this
 * module cannot (not DER, a value cut short) names nothing and has no constraints: a user's
 * own is still kept and served, with a warning that it covers none of this computer's names,
 * and one of Mailport's own is made again.
 */
function extensionsOf(x509: X509Certificate): Omit<ParsedCertificate, 'pem' | 'x509'> {
  try {
    const names = subjectAltNames(certificateExtension(x509.raw, SUBJECT_ALT_NAME_OID));
    const constraintValue = certificateExtension(x509.raw, NAME_CONSTRAINTS_OID);
    const constraints = constraintValue ? nameConstraintsFromDer(constraintValue) : undefined;
    return { ...names, constraints };
  } catch {
    return { dnsNames: [], ipAddresses: [], constraints: undefined };
  }
}

function subjectAltNames(value: Uint8Array | undefined): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const altNames = value ? childrenOf(readWhole(value, TAG.sequence)) : [];
  const dnsNames = altNames.filter((n) => n.tag === DNS_NAME).map((n) => textOf(n).toLowerCase());
  const ipAddresses = altNames
    .filter((n) => n.tag === IP_ADDRESS && (n.contents.length === 4 || n.contents.length === 16))
    .map((n) => bytesToIp(n.contents));
  return { dnsNames, ipAddresses };
}

/** `cert` names `issuer` as its issuer and carries a valid signature by its key. */
export function isSignedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function notBefore(cert: X509Certificate): Date {
  return new Date(cert.validFrom);
}

export function notAfter(cert: X509Certificate): Date {
  return new Date(cert.validTo);
}

/** A distinguished name on one line: `O=Mailport, CN=localhost`. */
export function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}
