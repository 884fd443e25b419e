/** A local CA as an earlier version of Mailport made it: other name constraints, or none. */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  NAME_CONSTRAINTS_OID,
  nameConstraintsDer,
} from '../../../src-main/core/certs/name-constraints.js';
import { PRIVATE_RANGES } from '../../../src-main/core/certs/names.js';
import { signCertificate } from '../../../src-main/core/certs/x509.js';

const DAY = 86_400_000;

/** Writes ca.pem and ca-key.pem into `certsDir`; returns the CA's SHA-256 fingerprint. */
export async function writeOldAuthority(
  certsDir: string,
  dnsNames: string[] | undefined,
): Promise<string> {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const name = [{ shortName: 'CN', value: 'Mailport local CA (mailbox)' }];
  const certPem = signCertificate(
    {
      publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      subject: name,
      issuer: name,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 3000 * DAY),
      extensions: [
        { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
        { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
        { name: 'subjectKeyIdentifier' },
        ...(dnsNames
          ? [
              {
                id: NAME_CONSTRAINTS_OID,
                critical: true,
                value: nameConstraintsDer({ dnsNames, ranges: PRIVATE_RANGES }).toString('binary'),
              },
            ]
          : []),
      ],
    },
    keyPem,
  );
  await mkdir(certsDir, { recursive: true, mode: 0o700 });
  await writeFile(join(certsDir, 'ca-key.pem'), keyPem, { mode: 0o600 });
  await writeFile(join(certsDir, 'ca.pem'), certPem);
  return new X509Certificate(certPem).fingerprint256;
}
