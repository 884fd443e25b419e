/**
 * Regressions for what `npm run test:fuzz` found, each replayed as a small transcript against
 * the real `mailport serve` process over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
/** Longer than the server's 64 KiB line limit. */
const OVERLONG_CHARS = 70_000;

let work: string;
let server: RunningMailport;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-fuzz-findings-'));
  const maildir = join(work, 'Maildir');
  for (const dir of ['cur', 'new', 'tmp']) await mkdir(join(maildir, dir), { recursive: true });
  server = await runMailport(await setUpMailport(maildir, { user: USER, password: PASSWORD }));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

async function connectImap(): Promise<LineClient> {
  const c = await LineClient.connect(server.ports.imap);
  expect(await c.line()).toMatch(/^\* OK /);
  return c;
}

describe('IMAP tags the server cannot echo', () => {
  it('answers an overlong line whose tag is cut short with an untagged BAD', async () => {
    const c = await connectImap();
    c.send(`${'A'.repeat(OVERLONG_CHARS)} NOOP\r\n`);
    expect(await c.line()).toMatch(/^\* BAD /);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    c.close();
  });

  it('answers an overlong line with an invalid tag with an untagged BAD', async () => {
    const c = await connectImap();
    c.send(`c"(( ${'('.repeat(OVERLONG_CHARS)}\r\n`);
    expect(await c.line()).toMatch(/^\* BAD /);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    c.close();
  });

  it('does not echo a tag longer than its limit', async () => {
    const c = await connectImap();
    c.send(`${'t'.repeat(1_000)} NOOP\r\n`);
    const reply = await c.line();
    expect(reply).toMatch(/^\* BAD /);
    expect(reply.length).toBeLessThan(200);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    c.close();
  });
});
