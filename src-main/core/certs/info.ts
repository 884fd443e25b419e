/** What the settings window and `mailport certs` show about the server certificate. */
import type { ParsedCertificate } from './inspect.js';
import { notAfter, notBefore, oneLineName } from './inspect.js';
import type { CertificateFiles } from './store.js';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  dnsNames: string[];
  ipAddresses: string[];
  /** SHA-256 of the leaf, `AA:BB:…`. */
  fingerprintSha256: string;
  /** SHA-256 of the local CA, `AA:BB:…`: what a user compares when installing it on a phone. */
  caFingerprintSha256: string | undefined;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  files: { caCert: string; caKey: string; cert: string; key: string };
}

export function certificateInfo(
  leaf: ParsedCertificate,
  ca: ParsedCertificate | undefined,
  files: CertificateFiles,
): CertificateInfo {
  return {
    subject: oneLineName(leaf.x509.subject),
    issuer: oneLineName(leaf.x509.issuer),
    dnsNames: leaf.dnsNames,
    ipAddresses: leaf.ipAddresses,
    fingerprintSha256: leaf.x509.fingerprint256,
    caFingerprintSha256: ca?.x509.fingerprint256,
    serialNumber: leaf.x509.serialNumber,
    notBefore: notBefore(leaf.x509),
    notAfter: notAfter(leaf.x509),
    files: { ...files },
  };
}
