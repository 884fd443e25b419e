/**
 * Differential test for POP3: Debian's Dovecot 2.3.19 and Mailport serve copies of the same
 * Maildir (see `helpers/differential.ts`) and answer the same POP3 session: STAT, LIST, UIDL,
 * TOP and RETR of every message, compared response by response and byte for byte; then DELE,
 * RSET and QUIT, after which both Maildirs must hold the same files with the same flags. A
 * difference fails unless an entry of `../differential-allowlist.ts` accepts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hasDovecot } from '../../helpers/dovecot.js';
import { HARD, VARIED, serveBoth, type BothServers } from '../../helpers/differential.js';
import { LineClient } from '../../helpers/line-client.js';
import { allowed, unusedEntries } from '../differential-allowlist.js';

const COUNT = VARIED + HARD;
let both: BothServers;
let theirs: LineClient;
let ours: LineClient;

async function login(port: number, user: string, password: string): Promise<LineClient> {
  const c = await LineClient.connect(port);
  expect(await c.line()).toMatch(/^\+OK/);
  expect(await c.command(`USER ${user}`)).toMatch(/^\+OK/);
  expect(await c.command(`PASS ${password}`)).toMatch(/^\+OK/);
  return c;
}

/** One response: the status line, then (multi-line and +OK) every line up to ".". */
async function pop(c: LineClient, command: string, multiLine: boolean): Promise<string[]> {
  c.send(`${command}\r\n`);
  const status = await c.line(60_000);
  if (!multiLine || !status.startsWith('+OK')) return [status];
  return [status, ...(await c.until(/^\.$/, 60_000))];
}

/**
 * Compares both servers' answers. A +OK line is compared in full where RFC 1939 fixes its form
 * (STAT, LIST n, UIDL n); otherwise status lines are compared by their +OK/-ERR indicator
 * alone: the text after it is the server's own.
 */
async function compare(command: string, multiLine: boolean, where = `POP3 ${command}`) {
  const [a, b] = [await pop(theirs, command, multiLine), await pop(ours, command, multiLine)];
  const strict = /^(STAT|LIST \d+|UIDL \d+)$/.test(command);
  const status = (lines: string[]) =>
    strict && lines[0]!.startsWith('+OK') ? lines[0] : lines[0]!.split(' ')[0];
  const pa = [status(a), ...a.slice(1)].join('\r\n');
  const pb = [status(b), ...b.slice(1)].join('\r\n');
  if (pa !== pb && !allowed(where, pa, pb)) {
    expect.soft(pb, `${command}\n  dovecot:  ${JSON.stringify(pa).slice(0, 600)}`).toBe(pa);
  }
  return a;
}

/** Base name → flags of every message file in an INBOX. */
async function files(maildir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const sub of ['cur', 'new'])
    for (const name of await readdir(join(maildir, sub))) {
      const [base, flags = ''] = name.split(':2,');
      out[base!] = flags;
    }
  return out;
}

describe.skipIf(!hasDovecot)('POP3: Mailport and Dovecot answer alike', () => {
  beforeAll(async () => {
    both = await serveBoth();
    theirs = await login(both.dovecot.pop3Port, both.dovecot.user, both.dovecot.password);
    ours = await login(both.mailport.ports.pop3, both.mailport.user, both.mailport.password);
  });

  afterAll(async () => {
    theirs?.close();
    ours?.close();
    await both?.stop();
  });

  it('STAT, LIST and UIDL', async () => {
    const stat = await compare('STAT', false);
    expect(stat[0]).toMatch(new RegExp(`^\\+OK ${COUNT} \\d+$`));
    await compare('LIST', true);
    await compare('UIDL', true);
    for (const n of [1, 2, 100, COUNT, COUNT + 1, 0])
      for (const verb of ['LIST', 'UIDL']) await compare(`${verb} ${n}`, false);
  });

  it.each([0, 1, 10])('TOP n %i of every message', async (lines) => {
    for (let n = 1; n <= COUNT; n++)
      await compare(`TOP ${n} ${lines}`, true, `POP3 TOP n ${lines}`);
  });

  it('RETR of every message', async () => {
    for (let n = 1; n <= COUNT; n++) await compare(`RETR ${n}`, true, 'POP3 RETR n');
  });

  it('DELE, RSET, RETR and QUIT leave the same Maildir', async () => {
    // Everything was retrieved above; RSET forgets that as well as the deletions.
    for (const n of [3, 5, 7]) await compare(`DELE ${n}`, false, 'POP3 DELE n');
    await compare('DELE 3', false, 'POP3 DELE n'); // already deleted
    await compare('STAT', false);
    await compare('LIST 5', false);
    await compare('RETR 5', true, 'POP3 RETR n');
    await compare('RSET', false);
    await compare('STAT', false);
    for (const n of [2, 4, 6, 8]) await compare(`DELE ${n}`, false, 'POP3 DELE n');
    for (const n of [1, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
      await compare(`RETR ${n}`, true, 'POP3 RETR n');
    await compare('TOP 21 3', true, 'POP3 TOP n 3');
    await compare('QUIT', false);
    await theirs.closedByServer();
    await ours.closedByServer();
    const [a, b] = [await files(both.reference), await files(both.mailport.maildir)];
    expect(Object.keys(a)).toHaveLength(COUNT - 4);
    expect(Object.values(a).filter((f) => f.includes('S')).length).toBeGreaterThan(5);
    expect(b).toEqual(a);
  });

  it('needed every POP3 entry of the allow-list', () => {
    expect(unusedEntries((where) => where.startsWith('POP3'))).toEqual([]);
  });
});
