/**
 * Reads a folder's `mailport.cache` as its format is documented (`store/maildir/size-cache.ts`):
 * a header line, then one JSON array per line, `[base, fileSize, mtimeMs, wireSize]` or
 * `[base, fileSize, mtimeMs, wireSize, names, extra]`, where a later line for the same base
 * replaces an earlier one. Lines that do not parse are
 * skipped, as the server skips them.
 */
import { readFile } from 'node:fs/promises';

export interface CacheLine {
  readonly fileSize: number;
  readonly mtimeMs: number;
  readonly wireSize: number;
  readonly extra?: Record<string, unknown>;
}

/** Facts by base name; empty when the file is missing or not in the expected format. */
export async function readCacheFile(path: string): Promise<Map<string, CacheLine>> {
  const facts = new Map<string, CacheLine>();
  const text = await readFile(path, 'utf8').catch(() => '');
  const [header, ...lines] = text.split('\n');
  if (header !== 'mailport.cache 4') return facts;
  for (const line of lines) {
    try {
      const [base, fileSize, mtimeMs, wireSize, , extra] = JSON.parse(line) as [
        string,
        number,
        number,
        number,
        string?,
        Record<string, unknown>?,
      ];
      facts.set(base, { fileSize, mtimeMs, wireSize, ...(extra && { extra }) });
    } catch {
      // a line cut by a crash, or the empty string after the last line end
    }
  }
  return facts;
}
