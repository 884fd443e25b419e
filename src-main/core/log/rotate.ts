/** Keeps the app log from growing without end: at start, a log over the limit is rotated. */
import { rename, rm, stat } from 'node:fs/promises';

export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
export const LOG_KEEP = 3;

/** mailport.log → mailport.log.1 → … → mailport.log.3 (dropped). */
export async function rotateLog(
  path: string,
  maxBytes = LOG_ROTATE_BYTES,
  keep = LOG_KEEP,
): Promise<boolean> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size <= maxBytes) return false;
  await rm(`${path}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--)
    await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined);
  await rename(path, `${path}.1`);
  return true;
}
