/**
 * The local certificate authority: a self-signed root that phones are asked to trust once.
 * It signs only the server certificate, and is name-constrained to this computer
 * (see name-constraints.ts), so its key is worth nothing for impersonating other sites.
 */
import { generateRsaKeyPair } from './keys.js';
import {
  machineConstraints,
  NAME_CONSTRAINTS_OID,
  nameConstraintsDer,
} from './name-constraints.js';
import { machineDnsNames, type MachineNames } from './names.js';
import { addDays } from './days.js';
import { BACKDATE_MS, signCertificate } from './x509.js';

/** Ten years: the user installs the CA on each phone by hand, so it should rarely change. */
export const CA_VALIDITY_DAYS = 3650;

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export async function createAuthority(machine: MachineNames, now: Date): Promise<PemPair> {
  const keys = await generateRsaKeyPair();
  const host = machineDnsNames(machine).names[0] ?? 'localhost';
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const name = [
    { shortName: 'O', value: 'Mailport' },
    { shortName: 'OU', value: `created ${now.toISOString().slice(0, 10)}` },
    { shortName: 'CN', value: `Mailport local CA (${host})` },
  ];
  const certPem = signCertificate(
    {
      publicKeyPem: keys.publicKey,
      subject: name,
      issuer: name,
      notBefore,
      notAfter: addDays(notBefore, CA_VALIDITY_DAYS),
      extensions: [
        // RFC 5280 §4.2.1.9: critical in a CA; pathLen 0, so it can sign leaves but no sub-CA.
        { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
        // §4.2.1.3: a CA that signs certificates and CRLs, and nothing else.
        { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
        // §4.2.1.2: the leaves' Authority Key Identifier points at this.
        { name: 'subjectKeyIdentifier' },
        // §4.2.1.10: "Conforming CAs MUST mark this extension as critical".
        {
          id: NAME_CONSTRAINTS_OID,
          critical: true,
          // forge writes a string value as the extnValue's contents (DER in a binary string).
          value: nameConstraintsDer(machineConstraints(machine)).toString('binary'),
        },
      ],
    },
    keys.privateKey,
  );
  return { certPem, keyPem: keys.privateKey };
}
