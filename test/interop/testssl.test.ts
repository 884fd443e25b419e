/**
 * Debian's testssl.sh (3.0.8) against the implicit-TLS ports (IMAPS, POP3S) of a live
 * `mailport serve` with its default settings: no protocol or cipher may be flagged as weak
 * (severity LOW or worse in its JSON report).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../helpers/run.js';
import { serveSecurely, type SecureMailport } from '../helpers/secure-serve.js';

const TESTSSL = '/usr/bin/testssl';
let t: SecureMailport;
let work: string;

interface Finding {
  id: string;
  severity: string;
  finding: string;
}

beforeAll(async () => {
  if (!existsSync(TESTSSL)) throw new Error(`${TESTSSL} is missing: apt-get install testssl.sh`);
  work = await mkdtemp(join(tmpdir(), 'mailport-testssl-'));
  t = await serveSecurely([
    { user: 'tester', password: 'secret-password', maildir: join(work, 'Maildir') },
  ]);
});
afterAll(async () => {
  await t?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('testssl.sh', () => {
  it.each(['imaps', 'pop3s'] as const)('finds nothing weak on %s', async (name) => {
    const report = join(work, `${name}.json`);
    const result = await run(
      TESTSSL,
      [
        '--quiet',
        '--color',
        '0',
        '--warnings',
        'batch',
        '--protocols',
        '--std',
        '--vulnerable',
        '--jsonfile',
        report,
        `127.0.0.1:${t.ports[name]}`,
      ],
      { timeoutMs: 280_000 },
    );
    const findings = JSON.parse(await readFile(report, 'utf8')) as Finding[];
    expect(findings.length, result.stdout + result.stderr).toBeGreaterThan(5);
    const weak = findings.filter((f) => ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(f.severity));
    expect(weak.map((f) => `${f.id}: ${f.finding}`)).toEqual([]);
    const offered = (id: string) => findings.find((f) => f.id === id)?.finding ?? '';
    for (const old of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1'])
      expect(offered(old)).toMatch(/^not offered/);
    expect(offered('TLS1_2')).toMatch(/^offered/);
    expect(offered('TLS1_3')).toMatch(/^offered/);
  });
});
