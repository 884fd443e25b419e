/**
 * Issue 16: a STORE on many messages renames their files with the folder's watcher stopped and
 * then trusts its own renames instead of listing new/ and cur/ again before its reply. What
 * another program renames or deletes in the same folder while those renames run, or right
 * after them, must still reach a client: here a second session in IDLE, which is told without
 * sending a command (RFC 2177), as it would be by the watcher.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { renameSync, unlinkSync, watch } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LineClient } from '../../helpers/line-client.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';
import { selectInbox } from '../../helpers/shared-maildir.js';

let work: string | undefined;
let server: RunningMailport | undefined;
const clients: LineClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop();
  server = undefined;
  if (work) await rm(work, { recursive: true, force: true });
  work = undefined;
});

/** Enough messages that renaming the STORE's share of them takes tens of milliseconds. */
const MESSAGES = 6000;
const STORED = 5000;
/** The other program's changes: this many renames (\Seen) and as many deletions. */
const CHANGES = 3;

/** File of UID `uid`: one arrival second each, so UIDs follow the numbering. */
const fileOf = (uid: number, flags = '') => `${1_700_000_000 + uid}.M1P1.seed:2,${flags}`;

async function seed(maildir: string): Promise<void> {
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
  for (let uid = 1; uid <= MESSAGES; uid++) {
    await writeFile(join(maildir, 'cur', fileOf(uid)), `Message-ID: <${uid}@test>\n\nx\n`);
  }
  const anHourAgo = Date.now() / 1000 - 3600; // the first listing is trusted
  for (const sub of ['cur', 'new']) await utimes(join(maildir, sub), anHourAgo, anHourAgo);
}

async function selected(port: number): Promise<LineClient> {
  const c = await selectInbox(port);
  clients.push(c);
  const { untagged, tagged } = await c.imap('s', 'SELECT INBOX');
  expect(tagged).toMatch(/^s OK/);
  expect(untagged).toContain(`* ${MESSAGES} EXISTS`);
  return c;
}

/** A served Maildir, a session that will STORE, and one in IDLE. */
async function storerAndIdler(): Promise<{
  maildir: string;
  storer: LineClient;
  idler: LineClient;
}> {
  work = await mkdtemp(join(tmpdir(), 'mailport-store-watch-'));
  const maildir = join(work, 'Maildir');
  await seed(maildir);
  server = await runMailport(await setUpMailport(maildir));
  const storer = await selected(server.ports.imap);
  const idler = await selected(server.ports.imap);
  idler.send('i IDLE\r\n');
  expect(await idler.line()).toMatch(/^\+ /);
  return { maildir, storer, idler };
}

/** The other program: messages above the STORE's range marked \Seen, others deleted. */
function changeBehindTheServer(maildir: string): void {
  for (let i = 1; i <= CHANGES; i++) {
    renameSync(
      join(maildir, 'cur', fileOf(STORED + i)),
      join(maildir, 'cur', fileOf(STORED + i, 'S')),
    );
    unlinkSync(join(maildir, 'cur', fileOf(MESSAGES + 1 - i)));
  }
}

const FLAGGED = /^\* \d+ FETCH \(FLAGS \(\\Flagged\)\)$/;
const SEEN = /^\* \d+ FETCH \(FLAGS \(\\Seen\)\)$/;
const EXPUNGE = /^\* \d+ EXPUNGE$/;

/**
 * The STORE's tagged reply: the storing session may hear of the other program's changes
 * already (UID STORE allows EXPUNGE: RFC 3501 §7.4.1), nothing of its own (.SILENT).
 */
async function expectStored(reply: Promise<{ untagged: string[]; tagged: string }>) {
  const stored = await reply;
  expect(stored.tagged).toBe('t OK Store completed.');
  expect(stored.untagged.filter((l) => !SEEN.test(l) && !EXPUNGE.test(l))).toEqual([]);
}

/** What the IDLE session is told without a command: every change, both sessions'. */
async function expectPushed(idler: LineClient): Promise<void> {
  const counts = { flagged: 0, seen: 0, expunge: 0 };
  const want = { flagged: STORED, seen: CHANGES, expunge: CHANGES };
  while (
    counts.flagged < want.flagged ||
    counts.seen < want.seen ||
    counts.expunge < want.expunge
  ) {
    const line = await idler.line(15_000); // throws if the pushes stop short
    if (FLAGGED.test(line)) counts.flagged += 1;
    else if (SEEN.test(line)) counts.seen += 1;
    else if (EXPUNGE.test(line)) counts.expunge += 1;
  }
  expect(counts).toEqual(want);
  idler.send('DONE\r\n');
  const done = await idler.imapUntil('i');
  expect(done.tagged).toBe('i OK Idle completed.');
  expect(done.untagged.filter((l) => EXPUNGE.test(l) || SEEN.test(l))).toEqual([]);
}

describe('UID STORE on many messages while another program changes the folder', () => {
  it('reports to an IDLE session what the other program renamed and deleted during its renames', async () => {
    const { maildir, storer, idler } = await storerAndIdler();
    // The test's own watcher sees the server's renames: the changes are made at the first one,
    // while the rest (thousands) are still to come.
    let changedAt = -1;
    let renamesSeen = 0;
    const watcher = watch(join(maildir, 'cur'), (_event, name) => {
      if (!name?.toString().endsWith(',F')) return;
      renamesSeen += 1;
      if (changedAt === -1) {
        changeBehindTheServer(maildir);
        changedAt = renamesSeen;
      }
    });
    try {
      await expectStored(
        storer.imap('t', `UID STORE 1:${STORED} +FLAGS.SILENT (\\Flagged)`, 30_000),
      );
      await sleep(100); // the test's watcher hears the last of the server's renames
    } finally {
      watcher.close();
    }
    expect(changedAt).toBeGreaterThan(0);
    expect(renamesSeen).toBeGreaterThan(changedAt); // the server renamed more afterwards
    await expectPushed(idler);
  });

  it('reports to an IDLE session what the other program renamed and deleted right after its reply', async () => {
    const { maildir, storer, idler } = await storerAndIdler();
    await expectStored(storer.imap('t', `UID STORE 1:${STORED} +FLAGS.SILENT (\\Flagged)`, 30_000));
    changeBehindTheServer(maildir);
    await expectPushed(idler);
  });
});
