/**
 * The TLS settings every listener uses (DESIGN.md, "Security defaults"): TLS 1.2 at least,
 * and in TLS 1.2 only forward-secret AEAD suites, in the server's order of preference.
 */
import { constants, X509Certificate } from 'node:crypto';
import { createSecureContext as nodeSecureContext, type SecureContext } from 'node:tls';
import { keyMatches, parsePrivateKey, splitPem } from './pem.js';
import { certificateFiles, readText } from './store.js';

/** PEM text: `cert` is the chain (leaf, then CA), `key` the leaf's private key. */
export interface TlsMaterial {
  cert: string;
  key: string;
}

export interface TlsOptions {
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

/**
 * TLS 1.2 suites: ECDHE key exchange (forward secrecy) with AES-GCM or ChaCha20-Poly1305
 * (AEAD), in the order of Mozilla's "intermediate" configuration. No CBC, no RSA key exchange.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

export function createSecureContext(material: TlsMaterial, options: TlsOptions): SecureContext {
  return nodeSecureContext({
    cert: material.cert,
    key: material.key,
    minVersion: options.minVersion,
    // Names no TLS_* suite, so TLS 1.3 keeps OpenSSL's defaults (all AEAD, all forward-secret).
    ciphers: TLS12_CIPHERS.join(':'),
    honorCipherOrder: true,
    // No client-initiated renegotiation (a CPU-exhaustion lever; testssl.sh flags it) and no
    // TLS compression (CRIME).
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_NO_COMPRESSION,
  });
}

/** The chain and key as found in the certs folder, with the leaf's SHA-256 fingerprint. */
export interface TlsMaterialOnDisk extends TlsMaterial {
  fingerprintSha256: string;
  notAfter: Date;
}

/**
 * The chain and key from the certs folder, or undefined when they are missing, damaged or do
 * not belong together (ensureCertificate repairs that). Uses node:crypto only (see pem.ts).
 */
export async function loadTlsMaterial(certsDir: string): Promise<TlsMaterialOnDisk | undefined> {
  const files = certificateFiles(certsDir);
  const cert = await readText(files.cert);
  const key = await readText(files.key);
  if (cert === undefined || key === undefined) return undefined;
  const leaf = readLeaf(cert);
  const privateKey = parsePrivateKey(key);
  if (!leaf || !privateKey || !keyMatches(leaf, privateKey)) return undefined;
  return { cert, key, fingerprintSha256: leaf.fingerprint256, notAfter: new Date(leaf.validTo) };
}

function readLeaf(chain: string): X509Certificate | undefined {
  const first = splitPem(chain)[0];
  try {
    return first === undefined ? undefined : new X509Certificate(first);
  } catch {
    return undefined;
  }
}
