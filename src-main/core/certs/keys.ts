/**
 * RSA keys for the CA and the server. node:crypto makes them natively (node-forge's JavaScript
 * key generation takes seconds); forge only ever sees them as PEM, to sign with.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

export const RSA_MODULUS_BITS = 2048;

export interface KeyPairPem {
  /** PKCS #8 `PRIVATE KEY` PEM. */
  readonly privateKey: string;
  /** SubjectPublicKeyInfo `PUBLIC KEY` PEM. */
  readonly publicKey: string;
}

const generate = promisify(generateKeyPair);

export async function generateRsaKeyPair(): Promise<KeyPairPem> {
  return generate('rsa', {
    modulusLength: RSA_MODULUS_BITS,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}
