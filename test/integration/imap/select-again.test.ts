/**
 * Issue 16: SELECT of an unchanged mailbox skips work proportional to the mailbox (the folder
 * listing while new/ and cur/ keep their mtimes, the list of new/, the UNSEEN count and the
 * keywords, shared per snapshot). What another program changes between two SELECTs on the same
 * connection, however soon after the last one, must still be reported by the next.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';

let t: TestService | undefined;
const clients: LineClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t?.stop();
  t = undefined;
});

const MESSAGES = 5;

function message(i: number): string {
  return `From: a${i}@example.org\r\nSubject: m${i}\r\nMessage-ID: <${i}@example.org>\r\n\r\nHello ${i}\r\n`;
}

/**
 * Five messages, all \Seen, before the service first looks; new/ and cur/ dated an hour ago,
 * so the first listing is trusted and later SELECTs skip it until the mtimes move.
 */
async function fill(maildir: string): Promise<void> {
  for (const dir of ['cur', 'new', 'tmp']) await mkdir(join(maildir, dir), { recursive: true });
  for (let i = 1; i <= MESSAGES; i++)
    await writeFile(join(maildir, 'cur', `1700000000.M${i}P1.host:2,S`), message(i));
  const anHourAgo = Date.now() / 1000 - 3600;
  for (const dir of ['cur', 'new']) await utimes(join(maildir, dir), anHourAgo, anHourAgo);
}

async function selected(service: TestService): Promise<LineClient> {
  const c = await LineClient.connect(service.ports.imap);
  clients.push(c);
  await c.line();
  expect((await c.imap('a', `LOGIN ${service.user} "${service.password}"`)).tagged).toMatch(
    /^a OK/,
  );
  return c;
}

/** The untagged lines of a SELECT INBOX that say what it holds. */
async function selectInbox(c: LineClient, tag: string): Promise<string[]> {
  const { untagged, tagged } = await c.imap(tag, 'SELECT INBOX');
  expect(tagged).toMatch(new RegExp(`^${tag} OK \\[READ-WRITE\\]`));
  return untagged.filter((l) => /EXISTS|RECENT|UNSEEN|^\* FLAGS/.test(l));
}

describe('SELECT INBOX again on the same connection', () => {
  it('reports a message delivered by another program and a flag it changed, at once', async () => {
    t = await startService(undefined, fill);
    const c = await selected(t);
    expect(await selectInbox(c, 's1')).toEqual([
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
      `* ${MESSAGES} EXISTS`,
      '* 0 RECENT',
    ]);
    expect(await selectInbox(c, 's2')).toEqual([
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
      `* ${MESSAGES} EXISTS`,
      '* 0 RECENT',
    ]);
    // Another program: a delivery into new/, and message 2 marked unseen with a keyword.
    await writeFile(join(t.maildir, 'new', '1700000100.M9P1.host'), message(9));
    await writeFile(join(t.maildir, 'dovecot-keywords'), '0 $Important\n');
    await rename(
      join(t.maildir, 'cur', '1700000000.M2P1.host:2,S'),
      join(t.maildir, 'cur', '1700000000.M2P1.host:2,a'),
    );
    expect(await selectInbox(c, 's3')).toEqual([
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important)',
      `* ${MESSAGES + 1} EXISTS`,
      '* 1 RECENT',
      '* OK [UNSEEN 2] First unseen.',
    ]);
    // The delivery was claimed (moved to cur/) by the SELECT that reported it \Recent.
    expect(await readdir(join(t.maildir, 'new'))).toEqual([]);
    expect(await selectInbox(c, 's4')).toEqual([
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important)',
      `* ${MESSAGES + 1} EXISTS`,
      '* 0 RECENT',
      '* OK [UNSEEN 2] First unseen.',
    ]);
  });

  it('reports the flags a STORE on every message changed, and keeps them on disk', async () => {
    t = await startService(undefined, fill);
    const c = await selected(t);
    await selectInbox(c, 's1');
    const store = await c.imap('t1', 'UID STORE 1:* -FLAGS.SILENT (\\Seen)');
    expect(store).toEqual({ untagged: [], tagged: 't1 OK Store completed.' });
    expect(await selectInbox(c, 's2')).toContain('* OK [UNSEEN 1] First unseen.');
    const marked = await c.imap('t2', 'UID STORE 2:4 +FLAGS ($Later \\Flagged)');
    expect(marked.untagged).toEqual([
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Later)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Later \\*)] Flags permitted.',
      '* 2 FETCH (UID 2 FLAGS (\\Flagged $Later))',
      '* 3 FETCH (UID 3 FLAGS (\\Flagged $Later))',
      '* 4 FETCH (UID 4 FLAGS (\\Flagged $Later))',
    ]);
    const names = (await readdir(join(t.maildir, 'cur'))).sort();
    expect(names).toEqual([
      '1700000000.M1P1.host:2,',
      '1700000000.M2P1.host:2,Fa',
      '1700000000.M3P1.host:2,Fa',
      '1700000000.M4P1.host:2,Fa',
      '1700000000.M5P1.host:2,',
    ]);
  });

  it('says the previous mailbox closed before the new one’s responses, also when the new one fails', async () => {
    t = await startService(undefined, fill);
    const c = await selected(t);
    const first = await c.imap('s1', 'SELECT Sent');
    expect(first.untagged).not.toContain('* OK [CLOSED] Previous mailbox closed.');
    expect(first.untagged).toContain('* 0 EXISTS');
    // Another program files a message in Sent; selecting Sent again shows it.
    await writeFile(join(t.maildir, '.Sent', 'new', '1700000200.M1P1.host'), message(1));
    const again = await c.imap('s2', 'SELECT Sent');
    expect(again.untagged[0]).toBe('* OK [CLOSED] Previous mailbox closed.');
    expect(again.untagged).toContain('* 1 EXISTS');
    expect(again.untagged).toContain('* 1 RECENT');
    expect(again.tagged).toMatch(/^s2 OK \[READ-WRITE\]/);
    const missing = await c.imap('s3', 'SELECT "No such folder"');
    expect(missing.untagged).toEqual(['* OK [CLOSED] Previous mailbox closed.']);
    expect(missing.tagged).toMatch(/^s3 NO /);
    expect((await c.imap('f1', 'FETCH 1 FLAGS')).tagged).toMatch(/^f1 BAD /); // none selected
    await c.imap('s4', 'SELECT INBOX');
    const bad = await c.imap('s5', 'SELECT');
    expect(bad.untagged).toEqual(['* OK [CLOSED] Previous mailbox closed.']);
    expect(bad.tagged).toMatch(/^s5 BAD /);
    expect((await c.imap('f2', 'FETCH 1 FLAGS')).tagged).toMatch(/^f2 BAD /);
  });
});
