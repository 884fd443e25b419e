/**
 * Which addresses a phone can use to reach Mailport, and why the others are left out: the one
 * answer the Dashboard, `mailport status`, the welcome mail and the phone setup all give.
 *
 * A phone checks the server's name against the certificate (RFC 6125 §6; an IP address must be
 * an iPAddress SAN, RFC 5280 §4.2.1.6), so an address the certificate does not carry fails at
 * TLS even though the port answers. `<host>.local` resolves only where something announces it
 * over multicast DNS (RFC 6762).
 */
import { canonicalIp } from '../certs/ip.js';
import { NAME_NOT_ANNOUNCED } from './mdns.js';

export interface PhoneAddresses {
  /** False when phones cannot connect at all (the listeners answer this computer only). */
  readonly reachable: boolean;
  /** Addresses (IPs and `<host>.local`) a phone can type as the mail server, best first. */
  readonly addresses: readonly string[];
  /** One sentence each: why phones cannot connect, or why an address is left out. */
  readonly notes: readonly string[];
}

export interface PhoneAddressInput {
  /** The `bind.address` setting: `all`, `loopback` or one address. */
  readonly bindAddress: string;
  /** This computer's LAN addresses now. */
  readonly lanAddresses: readonly string[];
  readonly hostName: string;
  /** Whether this computer announces `<host>.local` (see mdns.ts). */
  readonly announcesName: boolean;
  /** The served certificate's names, when there is one. */
  readonly certificate?: {
    readonly ipAddresses: readonly string[];
    readonly dnsNames: readonly string[];
  };
  /** The user's own certificate: Mailport never re-issues it. */
  readonly imported: boolean;
  /** How often Mailport re-issues its own certificate for new addresses. */
  readonly certificateCheckMinutes: number;
}

const LOOPBACK = /^(127\.|::1$|localhost$|loopback$)/i;

export const LOOPBACK_ONLY =
  'Phones cannot connect: Mailport answers this computer only (bind.address is loopback). ' +
  'Let them in with `mailport config set bind.address all` (Security screen: "All networks").';

export function phoneAddresses(input: PhoneAddressInput): PhoneAddresses {
  const bind = input.bindAddress;
  if (LOOPBACK.test(bind)) return { reachable: false, addresses: [], notes: [LOOPBACK_ONLY] };
  if (bind !== 'all' && !input.lanAddresses.includes(bind))
    return {
      reachable: false,
      addresses: [],
      notes: [
        `Phones cannot connect: Mailport listens on ${bind}, which is not an address of this computer on the network now. ` +
          'Use `mailport config set bind.address all`, or one of its current addresses.',
      ],
    };
  const candidates = bind === 'all' ? input.lanAddresses : [bind];
  if (candidates.length === 0)
    return {
      reachable: false,
      addresses: [],
      notes: [
        'This computer has no network address a phone could reach: connect it to your Wi-Fi or network cable.',
      ],
    };
  const notes: string[] = [];
  const covered = input.certificate?.ipAddresses.map((a) => canonicalIp(a) ?? a);
  const addresses = covered
    ? candidates.filter((a) => covered.includes(canonicalIp(a) ?? a))
    : [...candidates];
  for (const address of candidates.filter((a) => !addresses.includes(a)))
    notes.push(leftOut(address, input));
  const local = `${input.hostName.toLowerCase()}.local`;
  if (!input.announcesName) notes.push(`${local} is not offered: ${NAME_NOT_ANNOUNCED}.`);
  else if (input.certificate && !input.certificate.dnsNames.includes(local))
    notes.push(`${local} is not offered: the certificate does not name it.`);
  else addresses.push(local);
  return { reachable: addresses.length > 0, addresses, notes };
}

function leftOut(address: string, input: PhoneAddressInput): string {
  if (input.imported)
    return `${address} is left out: your certificate does not name it, so phones would refuse the connection.`;
  return (
    `${address} is left out: the certificate does not name it yet. ` +
    `Mailport re-issues the certificate for new addresses within ${input.certificateCheckMinutes} minutes.`
  );
}
