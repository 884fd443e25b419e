/** `mailport cert status` and `mailport cert renew`: the local CA and this machine's certificate. */
import { dataPaths } from '../core/config/paths.js';
import {
  currentMachineNames,
  ensureCertificate,
  renewCertificate,
  type CertificateInfo,
} from '../core/certs/index.js';
import { UsageError } from './usage.js';

export async function certCommand(dataDir: string, args: string[]): Promise<number> {
  const [action, extra] = args;
  if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}".`);
  const { certsDir } = dataPaths(dataDir);
  const progress = (step: string): void => console.log(`  ${step}…`);
  switch (action) {
    case 'status': {
      const result = await ensureCertificate(certsDir, currentMachineNames(), {
        onProgress: progress,
      });
      if (result.created !== 'none')
        console.log(
          `Created ${result.created === 'leaf' ? 'a new certificate' : 'a local CA and a certificate'}${result.reason ? ` (${result.reason})` : ''}.`,
        );
      printInfo(result.info);
      return 0;
    }
    case 'renew': {
      const result = await renewCertificate(certsDir, currentMachineNames());
      console.log(
        'Issued a new certificate from the same local CA (phones that trust it need nothing new).',
      );
      console.log('A running `mailport serve` uses it for new connections within 10 minutes.');
      printInfo(result.info);
      return 0;
    }
    default:
      throw new UsageError(`Unknown cert action "${action ?? ''}": use status or renew.`);
  }
}

function printInfo(info: CertificateInfo): void {
  const days = Math.floor((info.notAfter.getTime() - Date.now()) / 86_400_000);
  console.log(`Subject:      ${info.subject}`);
  console.log(`Issuer:       ${info.issuer}`);
  console.log(`Names:        ${[...info.dnsNames, ...info.ipAddresses].join(', ')}`);
  console.log(`SHA-256:      ${info.fingerprintSha256}`);
  console.log(`Valid until:  ${info.notAfter.toISOString().slice(0, 10)} (${days} days)`);
  console.log(`Certificate:  ${info.files.cert}`);
  console.log(`Key:          ${info.files.key}`);
  console.log(`Local CA:     ${info.files.caCert} (install this on phones to trust Mailport)`);
}
