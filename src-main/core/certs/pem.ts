/**
 * What reading the certificate and key on disk needs from node:crypto alone: the PEM blocks,
 * the private key, whether they belong together. Kept apart from `inspect.ts` (extensions Node
 * does not expose, read with `der.ts`) so that `mailport serve` can load the certificate it
 * served before and bind with no more than it needs (issue 16: start-up time).
 */
import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';

/** The PEM blocks of a file, in order. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export function parsePrivateKey(pem: string | undefined): KeyObject | undefined {
  if (pem === undefined) return undefined;
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

export function keyMatches(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}
