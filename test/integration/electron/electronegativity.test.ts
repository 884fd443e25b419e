/**
 * Doyensec's electronegativity over the Electron glue: no high or critical finding. The same
 * run over a deliberately unsafe sample must report high findings, so the check can fail.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../helpers/run.js';

async function findings(
  input: string,
): Promise<{ issue: string; severity: string; file: string }[]> {
  const work = await mkdtemp(join(tmpdir(), 'mailport-eneg-'));
  try {
    const out = join(work, 'report.csv');
    const result = await run(
      process.execPath,
      [
        'node_modules/@doyensec/electronegativity/dist/index.js',
        '-i',
        input,
        '-o',
        out,
        '-r',
        '-v',
        'false',
        '-e',
        '45.5.0',
      ],
      { timeoutMs: 240_000 },
    );
    const csv = await readFile(out, 'utf8').catch(() => '');
    expect(csv, result.stdout + result.stderr).toMatch(/^issue, severity/);
    return csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [issue, severity, , file] = line.split(',');
        return {
          issue: issue ?? '',
          severity: (severity ?? '').replaceAll('"', ''),
          file: file ?? '',
        };
      });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

describe('electronegativity', () => {
  it('finds nothing of high severity in src-main/electron', async () => {
    const found = await findings('src-main/electron');
    expect(found.filter((f) => /HIGH|CRITICAL/.test(f.severity))).toEqual([]);
  }, 300_000);

  it('does flag an unsafe window', async () => {
    const found = await findings('test/fixtures/electron-unsafe');
    expect(found.filter((f) => f.severity === 'HIGH').map((f) => f.issue)).toEqual(
      expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK']),
    );
  }, 300_000);
});
