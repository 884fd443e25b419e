/** What the CA and the leaf certificates have in common, built with node-forge. */
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** Certificates start an hour early, so a phone whose clock is a little behind accepts them. */
export const BACKDATE_MS = 60 * 60 * 1000;

/**
 * A serial number of 128 random bits (RFC 5280 §4.1.2.2: positive, at most 20 octets), as the
 * minimal two's-complement octets forge writes into the INTEGER: leading zero octets dropped,
 * and a zero octet added in front when the top bit is set, so that it stays positive.
 */
export function randomSerialNumber(): string {
  let octets = randomBytes(16);
  while (octets.every((octet) => octet === 0)) octets = randomBytes(16);
  let start = 0;
  while (octets[start] === 0) start++;
  const hex = octets.subarray(start).toString('hex');
  return octets[start]! >= 0x80 ? `00${hex}` : hex;
}

export interface Draft {
  readonly publicKeyPem: string;
  readonly subject: forge.pki.CertificateField[];
  readonly issuer: forge.pki.CertificateField[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: object[];
}

/** An X.509 v3 certificate (RFC 5280 §4.1) signed with SHA-256 by `signerKeyPem`. */
export function signCertificate(draft: Draft, signerKeyPem: string): string {
  const cert = forge.pki.createCertificate();
  cert.version = 2; // v3
  cert.serialNumber = randomSerialNumber();
  cert.publicKey = forge.pki.publicKeyFromPem(draft.publicKeyPem);
  cert.validity.notBefore = draft.notBefore;
  cert.validity.notAfter = draft.notAfter;
  cert.setSubject(draft.subject);
  cert.setIssuer(draft.issuer);
  cert.setExtensions(draft.extensions);
  cert.sign(forge.pki.privateKeyFromPem(signerKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
