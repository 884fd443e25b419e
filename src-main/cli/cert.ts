/**
 * `mailport cert status|renew|install|uninstall`: the local CA, this machine's certificate,
 * and the trust stores of this computer that hold the CA.
 */
import { dataPaths } from '../core/config/paths.js';
import {
  currentMachineNames,
  ensureCertificate,
  installTrust,
  renewCertificate,
  replaceAuthority,
  trustStatus,
  uninstallTrust,
  type CertificateInfo,
} from '../core/certs/index.js';
import { isImported } from '../core/certs/import.js';
import { CaKeyLockedError } from '../core/certs/key-vault.js';
import type { TrustStoreResult } from '../core/control/api.js';
import { UsageError } from './usage.js';

export interface CertOptions {
  /** `--system`: install and uninstall touch the system store too. */
  readonly system: boolean;
  /** `--new-ca` with renew: a new local CA as well. */
  readonly newCa?: boolean;
}

export async function certCommand(
  dataDir: string,
  args: string[],
  options: CertOptions = { system: false },
): Promise<number> {
  const [action, extra] = args;
  if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}".`);
  if (options.newCa && action !== 'renew') throw new UsageError('--new-ca goes with cert renew.');
  if (options.system && action !== 'install' && action !== 'uninstall') {
    throw new UsageError('--system goes with cert install or cert uninstall.');
  }
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
      if (!(await isImported(certsDir))) await printTrust(certsDir);
      return 0;
    }
    case 'renew': {
      if (options.newCa) {
        const made = await replaceAuthority(certsDir, currentMachineNames());
        console.log('Made a new local CA and certificate. Phones must trust the new CA:');
        console.log('install it again from the phone setup page or with `mailport cert install`.');
        printInfo(made.info);
        return 0;
      }
      let result;
      try {
        result = await renewCertificate(certsDir, currentMachineNames());
      } catch (err) {
        if (!(err instanceof CaKeyLockedError)) throw err;
        console.error(err.message);
        return 1;
      }
      console.log(
        'Issued a new certificate from the same local CA (phones that trust it need nothing new).',
      );
      console.log('A running `mailport serve` uses it for new connections within 10 minutes.');
      printInfo(result.info);
      return 0;
    }
    case 'install': {
      if (await isImported(certsDir)) {
        console.error(
          "Mailport serves your own certificate, so its local CA is not in use: run `mailport cert renew` to go back to Mailport's certificate, then install its CA.",
        );
        return 1;
      }
      await ensureCertificate(certsDir, currentMachineNames(), { onProgress: progress });
      const results = await installTrust(certsDir, { system: options.system });
      return printResults(results, 'Trusting the local CA');
    }
    case 'uninstall': {
      const results = await uninstallTrust(certsDir, { system: options.system });
      if (results.length === 0) {
        console.log(
          options.system
            ? 'Mailport had not added its local CA to any trust store.'
            : 'Mailport had not added its local CA to any of your trust stores (add --system for the system store).',
        );
        return 0;
      }
      return printResults(results, 'Removing the local CA');
    }
    default:
      throw new UsageError(
        `Unknown cert action "${action ?? ''}": use status, renew, install or uninstall.`,
      );
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

async function printTrust(certsDir: string): Promise<void> {
  const trusted = (await trustStatus(certsDir)).filter((entry) => entry.trusted);
  if (trusted.length === 0) {
    console.log('Trusted by:   no trust store of this computer (`mailport cert install` adds it)');
    return;
  }
  trusted.forEach((entry, i) =>
    console.log(
      `${i === 0 ? 'Trusted by:  ' : '             '} ${entry.store} (${entry.location})`,
    ),
  );
}

/** One line per store; exit status 1 when any store failed. */
function printResults(results: readonly TrustStoreResult[], title: string): number {
  console.log(`${title}:`);
  for (const result of results) {
    const where = result.location ? ` (${result.location})` : '';
    console.log(`  ${result.ok ? 'ok    ' : 'FAILED'}  ${result.store}${where}`);
    console.log(`          ${result.message}`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}
