/**
 * CONDSTORE's mod-sequences on a real `mailport serve` across restarts (RFC 7162 §3.1): kept
 * when it stops, raised for what other programs changed while it was down, and raised above
 * every value a client can hold when the state file is lost, damaged, or a crash left it
 * behind the changes: a client resyncing with CHANGEDSINCE never misses a change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { PASSWORD, ServedMaildir, USER } from '../../helpers/served-maildir.js';

const MESSAGES = 3;
const STATE_FILE = 'mailport-modseq';

let t: ServedMaildir | undefined;

async function start(): Promise<string> {
  t = await ServedMaildir.start('mailport-modseq-', MESSAGES);
  return t.maildir;
}

afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const restart = (signal?: NodeJS.Signals) => t!.restart(signal);

/** A session with INBOX selected with CONDSTORE; returns it and HIGHESTMODSEQ. */
async function selectCondstore(): Promise<{ c: LineClient; highest: number }> {
  const c = await t!.login();
  const r = await c.imap('s', 'SELECT INBOX (CONDSTORE)');
  expect(r.tagged).toMatch(/^s OK/);
  const line = r.untagged.find((l) => l.includes('HIGHESTMODSEQ'));
  return { c, highest: Number(/HIGHESTMODSEQ (\d+)/.exec(line ?? '')?.[1]) };
}

/** UID → [MODSEQ, FLAGS] of the messages FETCH returns. */
async function modseqs(c: LineClient, command: string): Promise<Map<number, [number, string]>> {
  const r = await c.imap('f', command);
  expect(r.tagged).toMatch(/^f OK/);
  const out = new Map<number, [number, string]>();
  for (const line of r.untagged) {
    const m = /UID (\d+) FLAGS \(([^)]*)\) MODSEQ \((\d+)\)/.exec(line);
    if (m) out.set(Number(m[1]), [Number(m[3]), m[2]!]);
  }
  return out;
}

const all = (c: LineClient) => modseqs(c, 'UID FETCH 1:* (FLAGS MODSEQ)');
const since = (c: LineClient, n: number) => modseqs(c, `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${n})`);

/** Waits until the state file's ceiling (its header's third field) is `highest`. */
async function settled(path: string, highest: number): Promise<void> {
  const ceiling = async () => Number((await readFile(path, 'latin1')).split(/[ \n]/)[3]);
  for (let waited = 0; (await ceiling()) !== highest; waited += 50) {
    if (waited > 20_000) expect(await ceiling()).toBe(highest);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('CONDSTORE mod-sequences across restarts', () => {
  it('keeps every MODSEQ and HIGHESTMODSEQ when the server stops and starts', async () => {
    await start();
    let { c, highest } = await selectCondstore();
    expect((await c.imap('a', 'STORE 2 +FLAGS (\\Seen)')).tagged).toMatch(/^a OK/);
    const before = await all(c);
    const after = Math.max(...[...before.values()].map(([m]) => m));
    expect(after).toBeGreaterThan(highest);
    await restart();
    ({ c, highest } = await selectCondstore());
    expect(highest).toBe(after);
    expect(await all(c)).toEqual(before);
    expect((await since(c, after)).size).toBe(0);
  });

  it('gives new MODSEQs to flags another program changed while it was down', async () => {
    const maildir = await start();
    const { highest: first } = await selectCondstore();
    await t!.stop();
    const [name] = (await readdir(join(maildir, 'cur'))).sort();
    await rename(join(maildir, 'cur', name!), join(maildir, 'cur', `${name}F`));
    await t!.startAgain();
    const { c, highest } = await selectCondstore();
    expect(highest).toBeGreaterThan(first);
    expect([...(await since(c, first)).entries()]).toEqual([[1, [highest, '\\Flagged']]]);
  });

  it('reports a change another program makes while a client is selected, with its MODSEQ', async () => {
    const maildir = await start();
    const { c, highest } = await selectCondstore();
    const [, name] = (await readdir(join(maildir, 'cur'))).sort();
    await rename(join(maildir, 'cur', name!), join(maildir, 'cur', `${name}S`));
    const r = await c.imap('n', 'NOOP');
    const line = r.untagged.find((l) => l.startsWith('* 2 FETCH'));
    expect(line).toMatch(/^\* 2 FETCH \(MODSEQ \(\d+\) FLAGS \(\\Seen\)\)$/);
    expect(Number(/MODSEQ \((\d+)\)/.exec(line!)![1])).toBeGreaterThan(highest);
  });

  it('raises the MODSEQ of messages whose keyword letter another program renumbered', async () => {
    const maildir = await start();
    const { c, highest } = await selectCondstore();
    await c.imap('a', 'STORE 1 +FLAGS ($Work)');
    expect(await readFile(join(maildir, 'dovecot-keywords'), 'utf8')).toBe('0 $Work\n');
    const known = Math.max(...[...(await all(c)).values()].map(([m]) => m));
    expect(known).toBeGreaterThan(highest);
    await writeFile(join(maildir, 'dovecot-keywords'), '0 $Home\n'); // letter a is $Home now
    await c.imap('n', 'NOOP');
    expect([...(await since(c, known)).entries()]).toEqual([
      [1, [expect.any(Number) as number, '$Home']],
    ]);
  });

  it('does not rewrite the state file of an unchanged folder for each STATUS', async () => {
    const folder = join(await start(), '.Work');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(folder, sub), { recursive: true });
    await writeFile(join(folder, 'cur', '1700000000.M1P1.host:2,S'), 'Subject: w\n\nw\n');
    const c = await LineClient.connect(t!.server.ports.imap);
    t!.clients.push(c);
    await c.line();
    await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`);
    const status = async () => (await c.imap('s', 'STATUS Work (HIGHESTMODSEQ)')).untagged[0];
    const first = await status();
    expect(first).toMatch(/^\* STATUS Work \(HIGHESTMODSEQ \d+\)$/);
    // The server's own background pass may hold the folder open too: the file takes its final
    // form (ceiling = HIGHESTMODSEQ) when the last holder closes it, once, and then stays.
    await settled(join(folder, STATE_FILE), Number(/(\d+)\)$/.exec(first!)![1]));
    const written = await stat(join(folder, STATE_FILE));
    for (let i = 0; i < 3; i++) expect(await status()).toBe(first);
    const now = await stat(join(folder, STATE_FILE));
    expect([now.ino, now.mtimeMs]).toEqual([written.ino, written.mtimeMs]);
  });

  it.each([
    ['lost', (path: string) => unlink(path)],
    ['damaged', (path: string) => writeFile(path, 'mailport-modseq 1 garbage\n')],
    ['cut short', (path: string) => writeFile(path, 'mailport-modseq 1 1 5\n1 2 S')],
  ])('raises HIGHESTMODSEQ above every value given when the state file is %s', async (_, harm) => {
    const maildir = await start();
    let { c } = await selectCondstore();
    for (let i = 0; i < 5; i++) await c.imap('a', `STORE 1:* ${i % 2 ? '-' : '+'}FLAGS (\\Seen)`);
    const given = Math.max(...[...(await all(c)).values()].map(([m]) => m));
    await t!.stop();
    await harm(join(maildir, STATE_FILE));
    await t!.startAgain();
    const again = await selectCondstore();
    c = again.c;
    expect(again.highest).toBeGreaterThan(given);
    // Every message counts as changed: a client that knew `given` fetches them all again.
    expect([...(await since(c, given)).keys()]).toEqual([1, 2, 3]);
  });

  it('loses no change that a crash kept out of the state file', async () => {
    await start();
    let { c } = await selectCondstore();
    await c.imap('a', 'STORE 1 +FLAGS (\\Seen)'); // the first change writes the file's ceiling
    await c.imap('b', 'STORE 3 +FLAGS (\\Flagged)'); // this one lives in memory only
    const told = await all(c);
    const known = Math.max(...[...told.values()].map(([m]) => m));
    await restart('SIGKILL');
    const again = await selectCondstore();
    c = again.c;
    expect(again.highest).toBeGreaterThanOrEqual(known);
    const now = await all(c);
    expect([...now.values()].map(([, f]) => f)).toEqual(['\\Seen', '', '\\Flagged']);
    // Message 3 changed after the file was written: it must count as changed since `known`.
    expect(now.get(3)![0]).toBeGreaterThan(known);
    // A change after the restart comes above everything the client was told before the crash.
    await c.imap('d', 'STORE 2 +FLAGS (\\Answered)');
    expect((await all(c)).get(2)![0]).toBeGreaterThan(known);
  });

  // RFC 7162 §7: HIGHESTMODSEQ in SELECT is a mod-sequence-value (1 or more); in STATUS, 0
  // means the mailbox has no persistent mod-sequences (interimap and others then resync all).
  it('reports HIGHESTMODSEQ 1 or more for a folder that never had a message', async () => {
    const maildir = await start();
    const c = await LineClient.connect(t!.server.ports.imap);
    t!.clients.push(c);
    await c.line();
    expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK/);
    expect((await c.imap('c', 'CREATE Projects')).tagged).toMatch(/^c OK/);
    const highest = async (): Promise<number[]> => {
      const status = await c.imap('t', 'STATUS Projects (HIGHESTMODSEQ)');
      const list = await c.imap('l', 'LIST "" Projects RETURN (STATUS (HIGHESTMODSEQ))');
      const select = await c.imap('s', 'SELECT Projects (CONDSTORE)');
      await c.imap('u', 'UNSELECT');
      return [...status.untagged, ...list.untagged, ...select.untagged]
        .filter((l) => l.includes('HIGHESTMODSEQ'))
        .map((l) => Number(/HIGHESTMODSEQ (\d+)/.exec(l)![1]));
    };
    const first = await highest();
    expect(first).toHaveLength(3);
    for (const n of first) expect(n).toBeGreaterThanOrEqual(1);
    // Earlier versions wrote 0 as the ceiling of such a folder: read as 1 or more too.
    for (const open of t!.clients.splice(0)) open.close();
    await t!.stop();
    const file = join(maildir, '.Projects', STATE_FILE);
    await writeFile(file, (await readFile(file, 'latin1')).replace(/^(\S+ \S+ \d+) \d+/, '$1 0'));
    await t!.startAgain();
    const c2 = await LineClient.connect(t!.server.ports.imap);
    t!.clients.push(c2);
    await c2.line();
    await c2.imap('l', `LOGIN ${USER} "${PASSWORD}"`);
    const again = await c2.imap('s', 'SELECT Projects (CONDSTORE)');
    const line = again.untagged.find((l) => l.includes('HIGHESTMODSEQ'))!;
    expect(Number(/HIGHESTMODSEQ (\d+)/.exec(line)![1])).toBeGreaterThanOrEqual(1);
  });
});
