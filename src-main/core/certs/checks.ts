/**
 * Whether the files on disk can still be used, and if not, why (in words for the user).
 * Each check returns a reason to remake something, or undefined when all is well.
 */
import type { KeyObject } from 'node:crypto';
import type { ParsedCertificate } from './inspect.js';
import { isSignedBy, keyMatches, notAfter, notBefore, splitPem } from './inspect.js';
import { constraintsProblem } from './name-constraints.js';
import type { WantedNames } from './names.js';
import { RENEW_BEFORE_DAYS } from './schedule.js';
import { daysBetween } from './days.js';

export { CERTIFICATE_CHECK_MS, RENEW_BEFORE_DAYS } from './schedule.js';

export interface AuthorityOnDisk {
  readonly cert: ParsedCertificate | undefined;
  readonly key: KeyObject | undefined;
  readonly certMissing: boolean;
  /** The key is sealed in the desktop app's keychain and this process cannot open it. */
  readonly locked?: boolean;
}

export interface LeafOnDisk {
  readonly chainPem: string | undefined;
  readonly cert: ParsedCertificate | undefined;
  readonly key: KeyObject | undefined;
}

export function authorityProblem(ca: AuthorityOnDisk, now: Date): string | undefined {
  if (ca.certMissing) return 'there was no local certificate authority yet';
  if (!ca.cert) return 'ca.pem could not be read as a certificate';
  if (!ca.cert.x509.ca || !ca.cert.constraints) {
    return 'ca.pem is not a name-constrained Mailport certificate authority';
  }
  const constraints = constraintsProblem(ca.cert.constraints);
  if (constraints !== undefined) return constraints;
  if (!ca.key && !ca.locked) return 'ca-key.pem is missing or damaged';
  if (ca.key && !keyMatches(ca.cert.x509, ca.key)) return 'ca-key.pem does not belong to ca.pem';
  return validityProblem('the local certificate authority', ca.cert, now);
}

export function leafProblem(
  leaf: LeafOnDisk,
  ca: ParsedCertificate,
  wanted: WantedNames,
  now: Date,
): string | undefined {
  if (!leaf.cert) return 'server.pem was missing or damaged';
  if (!leaf.key) return 'server-key.pem was missing or damaged';
  if (!keyMatches(leaf.cert.x509, leaf.key)) return 'server-key.pem did not belong to server.pem';
  if (!isSignedBy(leaf.cert.x509, ca.x509)) {
    return 'the server certificate was not signed by the current local certificate authority';
  }
  if (splitPem(leaf.chainPem ?? '')[1]?.trim() !== ca.pem.trim()) {
    return 'server.pem did not carry the current local certificate authority';
  }
  const missing = [
    ...wanted.dnsNames.filter((name) => !leaf.cert!.dnsNames.includes(name)),
    ...wanted.ipAddresses.filter((address) => !leaf.cert!.ipAddresses.includes(address)),
  ];
  if (missing.length > 0) {
    return `the server certificate did not cover ${missing.join(', ')}`;
  }
  return validityProblem('the server certificate', leaf.cert, now);
}

/**
 * Whether a re-issued leaf can keep the key on disk: it must belong to a leaf the current CA
 * signed (so it is the key Mailport made for it, not a key of an imported certificate or a
 * stray file) and be as strong as a new one. Keeping it lets phones that pinned the server's
 * key keep working across routine re-issues.
 */
export function reusableLeafKey(leaf: LeafOnDisk, ca: ParsedCertificate): KeyObject | undefined {
  if (!leaf.cert || !leaf.key) return undefined;
  if (!keyMatches(leaf.cert.x509, leaf.key) || !isSignedBy(leaf.cert.x509, ca.x509)) {
    return undefined;
  }
  const details = leaf.key.asymmetricKeyDetails;
  const strong = leaf.key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048;
  return strong ? leaf.key : undefined;
}

function validityProblem(what: string, cert: ParsedCertificate, now: Date): string | undefined {
  const from = notBefore(cert.x509);
  const until = notAfter(cert.x509);
  if (now < from)
    return `${what} is not valid until ${from.toISOString()} (was the clock changed?)`;
  if (daysBetween(now, until) < RENEW_BEFORE_DAYS) {
    return `${what} ${until <= now ? 'expired' : 'expires'} on ${until.toISOString().slice(0, 10)}`;
  }
  return undefined;
}
