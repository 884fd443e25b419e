/**
 * What a user should fix about the certificate being served, each with the fix: for your own
 * (imported) certificate, an expiry coming soon, names phones will use that it does not cover,
 * and a chain that stops short of a root; for Mailport's own, the names it had to leave out.
 */
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { RENEW_BEFORE_DAYS } from './checks.js';
import { canonicalIp } from './ip.js';
import type { ParsedCertificate } from './inspect.js';
import { notAfter, splitPem } from './inspect.js';
import { wantedNames } from './name-constraints.js';
import { machineAddresses, machineDnsNames, type MachineNames } from './names.js';
import { daysBetween } from './days.js';

export function ownCertificateWarnings(
  chainPem: string,
  leaf: ParsedCertificate,
  machine: MachineNames,
  now: Date,
): string[] {
  return [expiryWarning(leaf, now), coverageWarning(leaf, machine), chainWarning(chainPem)].filter(
    (w): w is string => w !== undefined,
  );
}

/** Names Mailport's own certificate leaves out (a public address, a renamed host), and why. */
export function localCertificateWarnings(ca: ParsedCertificate, machine: MachineNames): string[] {
  if (!ca.constraints) return [];
  return wantedNames(machine, ca.constraints).omitted.map((o) => o.reason);
}

function expiryWarning(leaf: ParsedCertificate, now: Date): string | undefined {
  const until = notAfter(leaf.x509);
  const days = Math.floor(daysBetween(now, until));
  if (days >= RENEW_BEFORE_DAYS) return undefined;
  const date = until.toISOString().slice(0, 10);
  const when = days < 0 ? `expired on ${date}` : `expires on ${date} (in ${days} days)`;
  return (
    `Your certificate ${when}: phones will refuse it from then on. Import a renewed ` +
    `certificate, or choose Renew to go back to Mailport's own certificate.`
  );
}

/** The names phones use: the host name, its .local name, and each LAN address. */
export function phoneNames(machine: MachineNames): string[] {
  const dns = machineDnsNames(machine).names.filter((name) => name !== 'localhost');
  const loopback = new Set(['127.0.0.1', '::1']);
  return [...dns, ...machineAddresses(machine).filter((a) => !loopback.has(a))];
}

function coverageWarning(leaf: ParsedCertificate, machine: MachineNames): string | undefined {
  const wanted = phoneNames(machine);
  const missing = wanted.filter((name) => !covers(leaf, name));
  if (missing.length === 0) return undefined;
  const covered = [...leaf.dnsNames, ...leaf.ipAddresses];
  const instead = covered.length
    ? `Connect phones by a name it covers (${covered.join(', ')}), or import a certificate ` +
      'that also names them.'
    : 'Import a certificate that names them (in its subject alternative names).';
  return (
    `Your certificate does not cover ${missing.join(', ')}, which phones may use to reach ` +
    `this computer: a phone connecting by one of those will refuse it. ${instead}`
  );
}

/** RFC 6125 §6.4: exact DNS names, or a wildcard standing for exactly one left-most label. */
export function covers(leaf: ParsedCertificate, name: string): boolean {
  const address = canonicalIp(name);
  if (address !== undefined) return leaf.ipAddresses.includes(address);
  const lower = name.toLowerCase();
  return leaf.dnsNames.some((san) => {
    if (san === lower) return true;
    if (!san.startsWith('*.')) return false;
    const dot = lower.indexOf('.');
    return dot > 0 && lower.slice(dot + 1) === san.slice(2);
  });
}

/** A chain whose last certificate is neither a root itself nor issued by a well-known root. */
function chainWarning(chainPem: string): string | undefined {
  const chain = splitPem(chainPem).map((pem) => new X509Certificate(pem));
  const last = chain.at(-1);
  if (!last || last.checkIssued(last)) return undefined;
  const roots = rootCertificates.map((pem) => new X509Certificate(pem));
  if (roots.some((root) => last.checkIssued(root) && last.verify(root.publicKey))) return undefined;
  const issuer = last.issuer.split('\n').find((part) => part.startsWith('CN=')) ?? last.issuer;
  return (
    `The certificate chain ends with a certificate issued by "${issuer.replace(/^CN=/, '')}", ` +
    'which is not in the file and is not a well-known root: phones that do not trust that ' +
    'authority will refuse the connection. Import the full chain (your certificate, then ' +
    'each intermediate), or install that authority on the phones.'
  );
}
