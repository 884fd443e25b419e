/**
 * Regressions for what `npm run test:fuzz` found, each replayed as a small transcript against
 * the real `mailport serve` process over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineClient } from '../helpers/line-client.js';
import { runMailport, setUpMailport, type RunningMailport } from '../helpers/serve.js';

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

describe('POP3 AUTH continuation', () => {
  it('fails AUTH PLAIN on an overlong response line and goes on', async () => {
    const c = await LineClient.connect(server.ports.pop3);
    expect(await c.line()).toMatch(/^\+OK /);
    expect(await c.command('AUTH PLAIN')).toBe('+ ');
    c.send(`AHBvcDMAbm9wZQ==\r${'A'.repeat(5_000)}\r\n`);
    expect(await c.line()).toMatch(/^-ERR .*too long/);
    expect(await c.command('CAPA')).toMatch(/^\+OK/);
    c.close();
  });

  it('takes the first pipelined line after AUTH PLAIN as its response, even an overlong one', async () => {
    const c = await LineClient.connect(server.ports.pop3);
    expect(await c.line()).toMatch(/^\+OK /);
    const token = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
    c.send(`AUTH PLAIN\r\n${'A'.repeat(5_000)}\r\n${token}\r\n`);
    expect(await c.line()).toBe('+ ');
    expect(await c.line()).toMatch(/^-ERR .*too long/);
    // The next line is a command again, not a late SASL response.
    expect(await c.line()).toMatch(/^-ERR Unknown command/);
    c.close();
  });
});
