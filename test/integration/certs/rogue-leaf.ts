/**
 * A leaf that someone holding the CA key could sign for any name. Built like Mailport's own
 * leaves (SKI, AKI, serverAuth, SHA-256) so that a verifier can only refuse it for its names.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface RogueNames {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

export function signRogueLeaf(caCertPem: string, caKeyPem: string, names: RogueNames): string {
  return signRogueLeafWithKey(caCertPem, caKeyPem, names).certPem;
}

/** The same, with the leaf's private key (PKCS #8 PEM), to serve it over TLS. */
export function signRogueLeafWithKey(
  caCertPem: string,
  caKeyPem: string,
  names: RogueNames,
): { certPem: string; keyPem: string } {
  const ca = forge.pki.certificateFromPem(caCertPem);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.version = 2;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 90 * 86_400_000);
  cert.setSubject([{ shortName: 'CN', value: names.commonName }]);
  cert.setIssuer(ca.subject.attributes);
  const altNames = [
    ...(names.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(names.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
