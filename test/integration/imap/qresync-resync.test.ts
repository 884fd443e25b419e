/**
 * Issue 15's QRESYNC scenario on a real `mailport serve` (RFC 7162 §3.2.5): a client synced
 * INBOX (UIDVALIDITY, HIGHESTMODSEQ, UIDs); then on the desktop one message's flags change
 * (its Maildir name's `:2,` part) and one message is deleted; one `SELECT INBOX (QRESYNC (v m))`
 * tells exactly that: `VANISHED (EARLIER)` with the deleted UID and one FETCH with the new
 * flags. The same while the server runs, across a restart, and, over-reporting but missing
 * nothing, after the state file is lost or the server is killed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { ServedMaildir } from '../../helpers/served-maildir.js';

const MESSAGES = 5;

let t: ServedMaildir | undefined;

async function start(): Promise<string> {
  t = await ServedMaildir.start('mailport-qresync-', MESSAGES);
  return t.maildir;
}

afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

/** A logged-in session with QRESYNC enabled. */
async function session(): Promise<LineClient> {
  const c = await t!.login();
  expect((await c.imap('e', 'ENABLE QRESYNC')).untagged).toEqual(['* ENABLED QRESYNC']);
  return c;
}

interface Synced {
  readonly uidValidity: number;
  readonly highest: number;
  readonly uids: number[];
}

/** What a client keeps after a full sync of INBOX. */
async function sync(c: LineClient): Promise<Synced> {
  const r = await c.imap('s', 'SELECT INBOX');
  expect(r.tagged).toMatch(/^s OK/);
  const code = (name: string) =>
    Number(new RegExp(`\\[${name} (\\d+)\\]`).exec(r.untagged.join('\n'))?.[1]);
  const f = await c.imap('f', 'UID FETCH 1:* (FLAGS)');
  const uids = f.untagged.map((l) => Number(/UID (\d+)/.exec(l)?.[1]));
  return { uidValidity: code('UIDVALIDITY'), highest: code('HIGHESTMODSEQ'), uids };
}

/** The untagged lines a QRESYNC SELECT adds after the usual ones (from HIGHESTMODSEQ on). */
async function resync(c: LineClient, known: Synced, extra = ''): Promise<string[]> {
  const r = await c.imap(
    'q',
    `SELECT INBOX (QRESYNC (${known.uidValidity} ${known.highest}${extra}))`,
  );
  expect(r.tagged).toMatch(/^q OK \[READ-WRITE\]/);
  const at = r.untagged.findIndex((l) => l.startsWith('* OK [HIGHESTMODSEQ'));
  expect(at).toBeGreaterThan(0);
  return r.untagged.slice(at + 1);
}

/** The desktop's changes: message 2 gets \Seen by a rename, message 4's file is deleted. */
async function changeOnDisk(maildir: string): Promise<void> {
  const names = (await readdir(join(maildir, 'cur'))).sort();
  await rename(join(maildir, 'cur', names[1]!), join(maildir, 'cur', `${names[1]}S`));
  await unlink(join(maildir, 'cur', names[3]!));
}

const EXACT = [
  '* VANISHED (EARLIER) 4',
  expect.stringMatching(/^\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/),
];

describe('SELECT (QRESYNC) after changes made on the desktop', () => {
  it('tells exactly the deleted UID and the changed flags while the server runs', async () => {
    const maildir = await start();
    const known = await sync(await session());
    expect(known.uids).toEqual([1, 2, 3, 4, 5]);
    for (const c of t!.clients.splice(0)) c.close();
    await changeOnDisk(maildir);
    const lines = await resync(await session(), known);
    expect(lines).toEqual(EXACT);
    const modseq = Number(/MODSEQ \((\d+)\)/.exec(lines[1]!)![1]);
    expect(modseq).toBeGreaterThan(known.highest);
  });

  it('tells the same when another session keeps INBOX open meanwhile (the sync notices)', async () => {
    const maildir = await start();
    const watcher = await session();
    const known = await sync(watcher);
    await changeOnDisk(maildir);
    const noop = await watcher.imap('n', 'NOOP');
    expect(noop.untagged).toContain('* VANISHED 4');
    expect(await resync(await session(), known)).toEqual(EXACT);
  });

  it('tells the same after the server was stopped, changed underneath and started', async () => {
    const maildir = await start();
    const known = await sync(await session());
    for (const c of t!.clients.splice(0)) c.close();
    await t!.stop();
    await changeOnDisk(maildir);
    await t!.startAgain();
    expect(await resync(await session(), known)).toEqual(EXACT);
    // Known UIDs limit the answer (RFC 7162 §3.2.5.2).
    expect(await resync(await session(), known, ' 1:3')).toEqual([EXACT[1]]);
  });

  it('misses nothing when the state file was lost while it was stopped', async () => {
    const maildir = await start();
    const known = await sync(await session());
    for (const c of t!.clients.splice(0)) c.close();
    await t!.stop();
    await changeOnDisk(maildir);
    await unlink(join(maildir, 'mailport-modseq'));
    await t!.startAgain();
    const lines = await resync(await session(), known);
    // Every UID not there is reported; every message counts as changed.
    expect(lines[0]).toBe('* VANISHED (EARLIER) 4');
    expect(lines.slice(1).map((l) => /^\* \d+ FETCH \(UID (\d+)/.exec(l)?.[1])).toEqual([
      '1',
      '2',
      '3',
      '5',
    ]);
  });

  it('narrows an over-report with the sequence match data (RFC 7162 §3.2.5.2)', async () => {
    const maildir = await start();
    const first = await session();
    await first.imap('s', 'SELECT INBOX');
    await first.imap('d', 'UID STORE 1 +FLAGS (\\Deleted)');
    await first.imap('x', 'EXPUNGE');
    const known = await sync(await session());
    expect(known.uids).toEqual([2, 3, 4, 5]);
    for (const c of t!.clients.splice(0)) c.close();
    await t!.stop();
    const names = (await readdir(join(maildir, 'cur'))).sort();
    await unlink(join(maildir, 'cur', names.at(-1)!)); // UID 5
    await unlink(join(maildir, 'mailport-modseq'));
    await t!.startAgain();
    const c = await session();
    expect((await resync(c, known))[0]).toBe('* VANISHED (EARLIER) 1,5');
    // The client's message 2 is UID 3, as it is here: nothing at or below UID 3 is gone.
    expect((await resync(c, known, ' 1:5 (1:2 2:3)'))[0]).toBe('* VANISHED (EARLIER) 5');
    // A pair that no longer matches proves nothing.
    expect((await resync(c, known, ' 1:5 (4 5)'))[0]).toBe('* VANISHED (EARLIER) 1,5');
  });

  it('misses no expunge that a crash kept out of the state file', async () => {
    await start();
    const known = await sync(await session());
    const other = await session();
    await other.imap('s', 'SELECT INBOX');
    await other.imap('d', 'UID STORE 3 +FLAGS (\\Deleted)');
    expect((await other.imap('x', 'EXPUNGE')).untagged).toContain('* VANISHED 3');
    await t!.stop('SIGKILL'); // INBOX still open: its state file was not written at close
    for (const c of t!.clients.splice(0)) c.close();
    await t!.startAgain();
    const lines = await resync(await session(), known);
    expect(lines[0]).toBe('* VANISHED (EARLIER) 3');
  });
});
