/** The server (leaf) certificate that IMAP and POP3 present, signed by the local CA. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { PemPair } from './ca.js';
import { ipToBytes } from './ip.js';
import { generateRsaKeyPair, type KeyPairPem } from './keys.js';
import { addDays } from './days.js';
import { BACKDATE_MS, signCertificate } from './x509.js';

/** Apple refuses TLS server certificates valid for more than 825 days; stay under it. */
export const LEAF_VALIDITY_DAYS = 820;

export interface LeafNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/**
 * A leaf for `names`, signed by `ca`. With `keepKey` (PKCS #8 PEM) the leaf keeps the server's
 * key, so phones that pinned the key keep accepting it; otherwise a new key is made.
 */
export async function issueLeaf(
  ca: PemPair,
  names: LeafNames,
  now: Date,
  keepKey?: KeyObject,
): Promise<PemPair> {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const keys = keepKey ? pemPairOf(keepKey) : await generateRsaKeyPair();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = addDays(notBefore, LEAF_VALIDITY_DAYS);
  const certPem = signCertificate(
    {
      publicKeyPem: keys.publicKey,
      subject: [
        { shortName: 'O', value: 'Mailport' },
        { shortName: 'CN', value: names.dnsNames[0] ?? 'localhost' },
      ],
      issuer: caCert.subject.attributes,
      notBefore,
      // A leaf never outlives its CA (RFC 5280 §6.1.3 would reject it from then on anyway).
      notAfter: notAfter < caCert.validity.notAfter ? notAfter : caCert.validity.notAfter,
      extensions: [
        { name: 'basicConstraints', critical: true, cA: false },
        { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: altNames(names) },
        { name: 'subjectKeyIdentifier' },
        // forge's `keyIdentifier: true` would use this leaf's own key; it must be the CA's.
        { name: 'authorityKeyIdentifier', keyIdentifier: caKeyIdentifier(caCert) },
      ],
    },
    ca.keyPem,
  );
  return { certPem, keyPem: keys.privateKey };
}

/** RFC 5280 §4.2.1.6: dNSName [2] and iPAddress [7] (the address's octets). */
function altNames(names: LeafNames): object[] {
  const ips = names.ipAddresses.map((address) => {
    const octets = ipToBytes(address);
    if (!octets) throw new Error(`Not an IP address: ${address}`);
    return { type: 7, value: Buffer.from(octets).toString('binary') };
  });
  return [...names.dnsNames.map((value) => ({ type: 2, value })), ...ips];
}

/** The CA's own Subject Key Identifier (binary string), as §4.2.1.1 asks the AKI to carry. */
function caKeyIdentifier(caCert: forge.pki.Certificate): string {
  const ski = caCert.getExtension('subjectKeyIdentifier') as
    { subjectKeyIdentifier?: string } | undefined;
  return ski?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
    : caCert.generateSubjectKeyIdentifier().getBytes();
}

function pemPairOf(key: KeyObject): KeyPairPem {
  return {
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
  };
}
