/**
 * `<certs>/trust.json`: what installTrust added, store by store, so that uninstalling removes
 * exactly that (a certificate the user put in a store some other way is never touched), and a
 * new CA can be put where the old one was. It holds each CA's PEM, since by the time an old CA
 * is removed, ca.pem already holds the new one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from '../../config/zod.js';
import { writeFileAtomic } from '../../util/atomic-file.js';

const entrySchema = z.object({
  kind: z.enum([
    'nss',
    'linux-system',
    'macos-login',
    'macos-system',
    'windows-user',
    'windows-machine',
  ]),
  store: z.string(),
  location: z.string(),
  system: z.boolean(),
  nickname: z.string(),
  host: z.string(),
  caSha256: z.string().regex(/^[0-9a-f]{64}$/),
  caPem: z.string(),
  addedAt: z.string(),
});

const recordSchema = z.object({ version: z.literal(1), entries: z.array(entrySchema) });

export type TrustRecordEntry = z.infer<typeof entrySchema>;

export const TRUST_RECORD = 'trust.json';

/** The entries on disk; a missing or unreadable file records nothing. */
export async function readTrustRecord(certsDir: string): Promise<TrustRecordEntry[]> {
  try {
    const text = await readFile(join(certsDir, TRUST_RECORD), 'utf8');
    return recordSchema.parse(JSON.parse(text)).entries;
  } catch {
    return [];
  }
}

export async function writeTrustRecord(
  certsDir: string,
  entries: readonly TrustRecordEntry[],
): Promise<void> {
  const text = `${JSON.stringify({ version: 1, entries }, null, 2)}\n`;
  await writeFileAtomic(join(certsDir, TRUST_RECORD), text, { mode: 0o600 });
}

export function sameStore(
  a: Pick<TrustRecordEntry, 'kind' | 'location'>,
  b: Pick<TrustRecordEntry, 'kind' | 'location'>,
): boolean {
  return a.kind === b.kind && a.location === b.location;
}
