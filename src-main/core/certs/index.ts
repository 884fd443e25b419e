/**
 * The certificate module: a local CA, the server certificate it signs, and the TLS settings.
 *
 * Files (in the folder the caller names, e.g. `<data dir>/certs`, mode 0700): `ca.pem`,
 * `ca-key.pem` (0600, never leaves the folder), `server.pem` (leaf then CA) and
 * `server-key.pem` (0600). `ensureCertificate` creates them on first need and repairs them.
 *
 * The CA is name-constrained (RFC 5280 §4.2.1.10, critical) to this computer's DNS names
 * (host, host.local, localhost) and to loopback, private and link-local ranges. A LAN address
 * outside those ranges (a public IPv4 address, a global IPv6 address, CGNAT 100.64/10) is left
 * out of the leaf and reported in `EnsureResult.omitted` with what to use instead: putting it in
 * would give phones a chain that name-constraint checks refuse, and widening the CA for it would
 * let a stolen CA key impersonate real internet hosts. Likewise a new host name (the computer
 * was renamed) is left out until `replaceAuthority` makes a CA for it.
 *
 * `trust/` puts the CA into this computer's trust stores (NSS databases, the system store, the
 * keychain, the Windows Root store) and records in `trust.json` what it added, so that
 * uninstalling removes exactly that and a replaced CA is swapped in the same stores.
 */
export type { CertificateInfo } from './info.js';
export {
  ensureCertificate,
  readCertificateInfo,
  renewCertificate,
  renewReplacesKey,
  replaceAuthority,
  type EnsureOptions,
  type EnsureResult,
} from './ensure.js';
export {
  createSecureContext,
  loadTlsMaterial,
  TLS12_CIPHERS,
  type TlsMaterial,
  type TlsOptions,
} from './tls-context.js';
export {
  currentMachineNames,
  PRIVATE_RANGES,
  type MachineNames,
  type OmittedName,
} from './names.js';
export { CertificateFolderError } from './store.js';
export { importCertificate, ImportError, type ImportInput } from './import.js';
export { CA_VALIDITY_DAYS } from './ca.js';
export { LEAF_VALIDITY_DAYS } from './leaf.js';
export { RENEW_BEFORE_DAYS } from './checks.js';
export { certificateReport, type CertificateReport } from './report.js';
export {
  installTrust,
  trustEnvironment,
  trustStatus,
  uninstallTrust,
  type TrustEnvironment,
  type TrustOptions,
} from './trust/index.js';
