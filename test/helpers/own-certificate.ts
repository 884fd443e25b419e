/**
 * "Your own certificate" as a user would bring it: a self-signed certificate made by openssl
 * (not by the code under test) for mail.example.test, written as cert.pem and key.pem in `dir`.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const OWN_NAME = 'mail.example.test';

export function makeOwnCertificate(
  dir: string,
  key: 'rsa' | 'ec' = 'rsa',
): { cert: string; key: string } {
  const keyArgs = key === 'rsa' ? ['rsa:2048'] : ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      ...keyArgs,
      '-nodes',
      '-keyout',
      files.key,
      '-out',
      files.cert,
      '-days',
      '30',
      '-subj',
      `/CN=${OWN_NAME}`,
      '-addext',
      `subjectAltName=DNS:${OWN_NAME}`,
    ],
    { stdio: 'ignore' },
  );
  return files;
}
