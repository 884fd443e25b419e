import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rotateLog } from '../../../src-main/core/log/rotate.js';
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
});
