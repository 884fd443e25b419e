/**
 * MULTIAPPEND (RFC 3502) against a real Mailport over a socket, with synchronising literals as
 * a client sends them: every message stored or none, and the command budget that lets a batch
 * exceed one APPENDLIMIT (up to `MAX_APPEND_COMMAND_MESSAGES` of them) but no more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';
import { MAX_APPEND_COMMAND_MESSAGES } from '../../../src-main/core/imap/limits.js';

const APPEND_LIMIT_BYTES = 64 * 1024;
/** A little under the limit, so that MAX_APPEND_COMMAND_MESSAGES + 1 of them pass it. */
const MESSAGE_BYTES = 60_000;

let mailport: TestService;

function message(n: number, bytes = MESSAGE_BYTES): string {
  const head = `From: a@example.com\r\nSubject: part ${n}\r\n\r\n`;
  const line = `${'x'.repeat(78)}\r\n`;
  const body = line.repeat(Math.ceil((bytes - head.length) / line.length));
  return (head + body).slice(0, bytes - 2) + '\r\n';
}

async function session(): Promise<LineClient> {
  const c = await LineClient.connect(mailport.ports.imap);
  await c.line();
  const r = await c.imap('l', `LOGIN ${mailport.user} "${mailport.password}"`);
  expect(r.tagged).toMatch(/^l OK/);
  return c;
}

/**
 * Sends APPEND with synchronising literals, waiting for "+" before each; stops at the first
 * line that is not "+" (the server refused the literal) and returns the tagged reply.
 */
async function multiAppend(c: LineClient, mailbox: string, messages: string[]): Promise<string> {
  c.send(`a APPEND ${mailbox} (\\Seen) {${messages[0]!.length}}\r\n`);
  for (const [i, m] of messages.entries()) {
    const line = await c.line();
    if (!line.startsWith('+')) return line;
    const next = messages[i + 1];
    c.send(`${m}${next === undefined ? '' : ` {${next.length}}`}\r\n`);
  }
  return (await c.imapUntil('a')).tagged;
}

async function filesIn(folder: string): Promise<number> {
  let n = 0;
  for (const dir of ['new', 'cur'])
    n += (await readdir(join(mailport.maildir, folder, dir))).length;
  return n;
}

describe('MULTIAPPEND', () => {
  beforeAll(async () => {
    mailport = await startService((s) => {
      s.limits.maxMessageBytes = APPEND_LIMIT_BYTES;
    });
  });
  afterAll(() => mailport?.stop());

  it('stores a batch larger than APPENDLIMIT, all of it, with one APPENDUID range', async () => {
    const c = await session();
    const count = MAX_APPEND_COMMAND_MESSAGES + 1; // > APPENDLIMIT + a line, < the budget
    const tagged = await multiAppend(
      c,
      'Drafts',
      Array.from({ length: count }, (_, i) => message(i)),
    );
    expect(tagged).toMatch(new RegExp(`^a OK \\[APPENDUID \\d+ 1:${count}\\]`));
    expect(await filesIn('.Drafts')).toBe(count);
    const fetch = await c.imap('f', 'EXAMINE Drafts');
    expect(fetch.untagged).toContain(`* ${count} EXISTS`);
    c.close();
  });

  it('stores none when the batch passes the command budget', async () => {
    const c = await session();
    const before = await filesIn('.Trash');
    const tagged = await multiAppend(
      c,
      'Trash',
      Array.from({ length: 2 * MAX_APPEND_COMMAND_MESSAGES + 1 }, (_, i) => message(i)),
    );
    expect(tagged).toMatch(/^a BAD .*too large/i);
    expect(await filesIn('.Trash')).toBe(before);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/); // the session goes on
    c.close();
  });

  it('stores none when a later message is over APPENDLIMIT', async () => {
    const c = await session();
    const before = await filesIn('.Trash');
    const tagged = await multiAppend(c, 'Trash', [
      message(1, 1000),
      message(2, APPEND_LIMIT_BYTES + 2),
    ]);
    expect(tagged).toMatch(/^a BAD/);
    expect(await filesIn('.Trash')).toBe(before);
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    c.close();
  });

  it('stores none when a later message is empty', async () => {
    const c = await session();
    const before = await filesIn('.Trash');
    c.send(`a APPEND Trash {10+}\r\nSubject: x {0+}\r\n\r\n`);
    expect((await c.imapUntil('a')).tagged).toMatch(/^a NO/);
    expect(await filesIn('.Trash')).toBe(before);
    c.close();
  });
});
