/** The addresses phones can use right now, from this computer's network and certificate. */
import { CERTIFICATE_CHECK_MS } from '../certs/schedule.js';
import { isImported } from '../certs/store.js';
import { hostName, lanAddresses } from '../net/addresses.js';
import { announcesHostName } from '../net/mdns.js';
import { phoneAddresses, type PhoneAddresses } from '../net/phone-addresses.js';

const MS_PER_MINUTE = 60_000;

export async function phoneAddressesNow(
  bindAddress: string,
  certsDir: string,
): Promise<PhoneAddresses> {
  // The certificate module is loaded on first use, not at start (issue 16).
  const { readCertificateInfo } = await import('../certs/ensure.js');
  const info = await readCertificateInfo(certsDir).catch(() => undefined);
  return phoneAddresses({
    bindAddress,
    lanAddresses: lanAddresses(),
    hostName: hostName(),
    announcesName: announcesHostName(),
    ...(info && { certificate: { ipAddresses: info.ipAddresses, dnsNames: info.dnsNames } }),
    imported: await isImported(certsDir),
    certificateCheckMinutes: CERTIFICATE_CHECK_MS / MS_PER_MINUTE,
  });
}
