/** What the window shows next to the certificate: trust stores, warnings, and what Renew does. */
import { renewReplacesKey } from './ensure.js';
import { parseCertificate } from './inspect.js';
import type { MachineNames } from './names.js';
import { certificateFiles, isImported, readText } from './store.js';
import { trustStatus } from './trust/index.js';
import type { TrustEnvironment, TrustStoreEntry } from './trust/types.js';
import { localCertificateWarnings, ownCertificateWarnings } from './warnings.js';

export interface CertificateReport {
  /** Empty for your own certificate: the local CA then plays no part. */
  readonly trustStores: TrustStoreEntry[];
  readonly warnings: string[];
  readonly renewReplacesKey: boolean;
}

export async function certificateReport(
  certsDir: string,
  machine: MachineNames,
  options: { env?: TrustEnvironment; now?: Date } = {},
): Promise<CertificateReport> {
  const now = options.now ?? new Date();
  const files = certificateFiles(certsDir);
  const chainPem = (await readText(files.cert)) ?? '';
  const leaf = parseCertificate(chainPem);
  const replacesKey = await renewReplacesKey(certsDir, now);
  if (leaf && (await isImported(certsDir))) {
    return {
      trustStores: [],
      warnings: ownCertificateWarnings(chainPem, leaf, machine, now),
      renewReplacesKey: replacesKey,
    };
  }
  const ca = parseCertificate((await readText(files.caCert)) ?? '');
  return {
    trustStores: await trustStatus(certsDir, options.env),
    warnings: ca ? localCertificateWarnings(ca, machine) : [],
    renewReplacesKey: replacesKey,
  };
}
