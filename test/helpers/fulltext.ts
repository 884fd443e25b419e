/**
 * Waiting for `mailport serve`'s full-text index: the log line it writes each time a build of
 * the INBOX's index catches up.
 */
import { readFile } from 'node:fs/promises';
import { dataPaths } from '../../src-main/core/config/paths.js';

const BUILT = 'full-text index up to date';
const WAIT_STEP_MS = 100;

/**
 * Waits until the log holds more than `after` such lines; returns how many it holds. Fails
 * after `timeoutMs`.
 */
export async function fullTextIndexBuilt(
  dataDir: string,
  after = 0,
  timeoutMs = 60_000,
): Promise<number> {
  const log = dataPaths(dataDir).logFile;
  for (let waited = 0; waited < timeoutMs; waited += WAIT_STEP_MS) {
    const text = await readFile(log, 'utf8').catch(() => '');
    const count = text.split(BUILT).length - 1;
    if (count > after) return count;
    await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
  }
  throw new Error('the full-text index was not built');
}
