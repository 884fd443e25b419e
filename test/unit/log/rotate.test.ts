import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rotateLog } from '../../../src-main/core/log/rotate.js';
import { RotatingFile } from '../../../src-main/core/log/rotating-file.js';
import { createLogger } from '../../../src-main/core/log/logger.js';
import { LogRing } from '../../../src-main/core/log/ring.js';
import { formatLogLine } from '../../../src-main/cli/logs.js';

describe('log rotation', () => {
  it('rotates a log over the limit and keeps three old ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailport-log-'));
    const log = join(dir, 'mailport.log');
    for (let i = 1; i <= 5; i++) {
      await writeFile(log, `run ${i}\n`.repeat(10));
      expect(await rotateLog(log, 10, 3)).toBe(true);
    }
    expect((await readdir(dir)).sort()).toEqual([
      'mailport.log.1',
      'mailport.log.2',
      'mailport.log.3',
    ]);
    expect(await readFile(join(dir, 'mailport.log.1'), 'utf8')).toMatch(/^run 5/);
    await writeFile(log, 'small');
    expect(await rotateLog(log, 10, 3)).toBe(false);
    await rm(dir, { recursive: true });
  });

  it('formats JSON lines for people and passes other lines through', () => {
    expect(formatLogLine('{"level":30,"time":0,"msg":"login","user":"a","app":"mailport"}')).toBe(
      '1970-01-01T00:00:00.000Z info login user=a',
    );
    expect(formatLogLine('not json')).toBe('not json');
  });

  it('rotates while writing: every file within the limit, the newest lines kept in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailport-log-'));
    const log = join(dir, 'imap.log');
    await writeFile(log, 'x'.repeat(900)); // left from the last run, under the limit
    const file = new RotatingFile(log, { maxBytes: 1000, keep: 2 });
    const lines = Array.from(
      { length: 100 },
      (_, i) => `line ${String(i).padStart(3, '0')} ${'y'.repeat(90)}\n`,
    );
    for (const [i, line] of lines.entries()) {
      file.write(line);
      if (i % 7 === 0) file.flushSync(); // bursts of several lines, as between event-loop turns
    }
    file.write('z'.repeat(1001)); // one line longer than a whole file: dropped
    file.close();
    expect((await readdir(dir)).sort()).toEqual(['imap.log', 'imap.log.1', 'imap.log.2']);
    let kept = '';
    for (const name of ['imap.log.2', 'imap.log.1', 'imap.log']) {
      const text = await readFile(join(dir, name), 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1000);
      kept += text;
    }
    expect(kept).toBe(lines.slice(-kept.length / 100).join(''));
    expect(kept.length / 100).toBeGreaterThanOrEqual(20);
    await rm(dir, { recursive: true });
  });

  it('bounds the line an error is logged on, whatever the error carries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailport-log-'));
    const ring = new LogRing();
    const logger = createLogger({ file: join(dir, 'mailport.log'), ring });
    const err = Object.assign(new Error(`ENAMETOOLONG: ${'n'.repeat(100_000)}`), {
      code: 'ENAMETOOLONG',
      path: `/m/${'p'.repeat(100_000)}`,
    });
    logger.error({ err }, 'IMAP command failed');
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = ring.recent(1);
    expect(line!.length).toBeLessThan(8000);
    const logged = JSON.parse(line!) as { err: { message: string; code: string; path: string } };
    expect(logged.err.code).toBe('ENAMETOOLONG');
    expect(logged.err.message).toMatch(/^ENAMETOOLONG: n+… \(\d+ more characters\)$/);
    expect(logged.err.path.length).toBeLessThan(300);
    await rm(dir, { recursive: true });
  });
});
