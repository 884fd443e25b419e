/**
 * Opening the phone setup page for one account of a running Mailport: which CA to offer
 * (none when the user's own certificate is served), which port and which LAN address.
 */
import { readFile } from 'node:fs/promises';
import { isImported } from '../certs/store.js';
import { readCertificateInfo } from '../certs/index.js';
import { certificateFiles } from '../certs/store.js';
import type { Logger } from '../log/logger.js';
import { bindHost, hostName, lanAddresses } from '../net/addresses.js';
import { PhoneSetupPage } from './setup-page-server.js';
import type { SubmissionEndpoint } from './account-settings.js';

export interface PhoneSetupRequest {
  readonly account: string;
  readonly certsDir: string;
  readonly imapsPort: number;
  /** Mailport's submission listener, when it is on: the phone sends through it. */
  readonly submission?: SubmissionEndpoint | undefined;
  /** The `phoneSetup.port` setting. */
  readonly port: number;
  /** The `bind.address` setting: the page listens where the mail listeners do. */
  readonly bindAddress: string;
  readonly checkPassword: (password: string) => Promise<boolean>;
  readonly logger: Logger;
  readonly ttlMs?: number;
  readonly onClose?: () => void;
}

export async function openPhoneSetupPage(request: PhoneSetupRequest): Promise<PhoneSetupPage> {
  const imported = await isImported(request.certsDir);
  const caPem = imported
    ? undefined
    : await readFile(certificateFiles(request.certsDir).caCert, 'utf8');
  const named = (await readCertificateInfo(request.certsDir))?.ipAddresses ?? [];
  return PhoneSetupPage.open({
    account: request.account,
    hostName: hostName(),
    urlHost:
      request.bindAddress === 'all'
        ? chooseLanAddress(lanAddresses(), named)
        : bindHost(request.bindAddress),
    listenHost: bindHost(request.bindAddress),
    port: request.port,
    imapsPort: request.imapsPort,
    ...(request.submission && { submission: request.submission }),
    ...(caPem && { caPem }),
    checkPassword: request.checkPassword,
    logger: request.logger,
    ...(request.ttlMs !== undefined && { ttlMs: request.ttlMs }),
    ...(request.onClose && { onClose: request.onClose }),
  });
}

/**
 * The address for the link: an IPv4 address the certificate names (phones type and scan
 * these most easily), then any IPv4, then any address, then the mDNS name.
 */
export function chooseLanAddress(addresses: readonly string[], named: readonly string[]): string {
  const v4 = addresses.filter((a) => !a.includes(':'));
  return (
    v4.find((a) => named.includes(a)) ??
    v4[0] ??
    addresses.find((a) => named.includes(a)) ??
    addresses[0] ??
    `${hostName()}.local`
  );
}
