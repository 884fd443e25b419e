/**
 * Importing your own certificate: a PEM chain with its key, or a PKCS#12 (PFX) file with its
 * password. It replaces the server certificate, and `imported` marks it so that the automatic
 * re-issue leaves it alone; `renewCertificate` goes back to the local CA's certificate.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import forge from 'node-forge';
import { writeFileAtomic } from '../util/atomic-file.js';
import {
  certificateFiles,
  CERT_MODE,
  IMPORTED_MARKER,
  isImported,
  KEY_MODE,
  prepareFolder,
} from './store.js';

export { IMPORTED_MARKER, isImported };

const SHROUDED_KEY_BAG = forge.pki.oids.pkcs8ShroudedKeyBag as string;
const KEY_BAG = forge.pki.oids.keyBag as string;
const CERT_BAG = forge.pki.oids.certBag as string;

export type ImportInput =
  | { readonly kind: 'pem'; readonly cert: string; readonly key: string }
  | { readonly kind: 'pfx'; readonly pfx: Buffer; readonly password: string };

/** A certificate that cannot be used, with what to do about it. */
export class ImportError extends Error {
  override name = 'ImportError';
}

export async function importCertificate(
  certsDir: string,
  input: ImportInput,
  now = new Date(),
): Promise<void> {
  const { chain, key } =
    input.kind === 'pem' ? fromPem(input.cert, input.key) : fromPfx(input.pfx, input.password);
  const leaf = chain[0];
  if (!leaf) throw new ImportError('No certificate was found in what was given.');
  if (!leaf.checkPrivateKey(key))
    throw new ImportError('The private key does not belong to the certificate.');
  if (new Date(leaf.validTo) <= now)
    throw new ImportError(`The certificate expired on ${new Date(leaf.validTo).toDateString()}.`);
  if (new Date(leaf.validFrom) > now) {
    throw new ImportError(
      `The certificate is not valid until ${new Date(leaf.validFrom).toDateString()}: ` +
        "check this computer's clock, or import it from that day on.",
    );
  }
  checkChainOrder(chain);
  await prepareFolder(certsDir);
  const files = certificateFiles(certsDir);
  await writeFileAtomic(files.key, key.export({ type: 'pkcs8', format: 'pem' }).toString(), {
    mode: KEY_MODE,
  });
  await writeFileAtomic(files.cert, chain.map((c) => c.toString().trim()).join('\n') + '\n', {
    mode: CERT_MODE,
  });
  await writeFileAtomic(join(certsDir, IMPORTED_MARKER), `${now.toISOString()}\n`, {
    mode: CERT_MODE,
  });
}

/**
 * Each certificate must be issued and signed by the next one (RFC 5246 §7.4.2: the sender's
 * certificate first, each following one certifying the one before).
 */
function checkChainOrder(chain: readonly X509Certificate[]): void {
  const name = (cert: X509Certificate) =>
    cert.subject.split('\n').find((part) => part.startsWith('CN=')) ?? cert.subject;
  chain.slice(0, -1).forEach((cert, i) => {
    const next = chain[i + 1]!;
    if (!cert.checkIssued(next) || !cert.verify(next.publicKey)) {
      throw new ImportError(
        `The chain does not verify: certificate ${i + 2} (${name(next)}) did not sign ` +
          `certificate ${i + 1} (${name(cert)}). Put your certificate first, then each ` +
          'intermediate in order, and leave out certificates that do not belong to it.',
      );
    }
  });
}

function fromPem(certText: string, keyText: string): { chain: X509Certificate[]; key: KeyObject } {
  const blocks =
    certText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    return { chain: blocks.map((b) => new X509Certificate(b)), key: createPrivateKey(keyText) };
  } catch (err) {
    throw new ImportError(`The PEM text could not be read: ${(err as Error).message}`);
  }
}

function fromPfx(pfx: Buffer, password: string): { chain: X509Certificate[]; key: KeyObject } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(pfx.toString('binary')), password);
  } catch {
    throw new ImportError(
      'The PFX file could not be opened: check the password and that it is a .pfx/.p12 file.',
    );
  }
  const bags = (oid: string): forge.pkcs12.Bag[] => p12.getBags({ bagType: oid })[oid] ?? [];
  const keyBag = bags(SHROUDED_KEY_BAG)[0] ?? bags(KEY_BAG)[0];
  const certBags = bags(CERT_BAG);
  if (!keyBag?.key) throw new ImportError('The PFX file holds no private key.');
  const chain = certBags.flatMap((bag: forge.pkcs12.Bag) =>
    bag.cert ? [new X509Certificate(forge.pki.certificateToPem(bag.cert))] : [],
  );
  const key = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key));
  // The server certificate first (the one the key belongs to), then each issuer in turn; a
  // PFX keeps its bags in no particular order.
  const leaf = chain.find((cert) => cert.checkPrivateKey(key)) ?? chain[0];
  const ordered = leaf ? [leaf] : [];
  for (let last = leaf; last && !last.checkIssued(last);) {
    const issuer = chain.find((c) => !ordered.includes(c) && last!.checkIssued(c));
    if (issuer) ordered.push(issuer);
    last = issuer;
  }
  return { chain: ordered, key };
}
