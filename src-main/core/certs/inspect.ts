/** Reading certificates back: what they name, who signed them, whether a key belongs to them. */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
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

interface ForgeExtension {
  id: string;
  value?: string;
  altNames?: { type: number; value: string }[];
}

/** The first certificate in `pem`, or undefined if there is none or it cannot be read. */
export function parseCertificate(pem: string): ParsedCertificate | undefined {
  const first = splitPem(pem)[0];
  if (!first) return undefined;
  try {
    const x509 = new X509Certificate(first);
    const extensions = forge.pki.certificateFromPem(first).extensions as ForgeExtension[];
    const names = subjectAltNames(extensions);
    const constraintValue = extensions.find((e) => e.id === NAME_CONSTRAINTS_OID)?.value;
    const constraints = constraintValue ? nameConstraintsFromDer(constraintValue) : undefined;
    return { pem: `${first}\n`, x509, ...names, constraints };
  } catch {
    return undefined;
  }
}

function subjectAltNames(extensions: ForgeExtension[]): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const altNames = extensions.find((e) => e.id === '2.5.29.17')?.altNames ?? [];
  const dnsNames = altNames.filter((n) => n.type === 2).map((n) => n.value.toLowerCase());
  const ipAddresses = altNames
    .filter((n) => n.type === 7 && (n.value.length === 4 || n.value.length === 16))
    .map((n) => bytesToIp(Buffer.from(n.value, 'binary')));
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
