/**
 * A Maildir shared with other programs, served by the real `mailport serve`: a desktop client
 * and a delivery agent change it while an IMAP client watches (issue 14).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { chmod, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import { hasDovecot, startDovecot } from '../../helpers/dovecot.js';
import type { LineClient } from '../../helpers/line-client.js';
import { ImapModel } from '../../helpers/imap-model.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';
import { runMutator, seedMaildir, selectInbox } from '../../helpers/shared-maildir.js';

let work: string;
let maildir: string;
let server: RunningMailport | undefined;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-shared-'));
  maildir = join(work, 'Maildir');
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await rm(work, { recursive: true, force: true });
});

describe('sequence numbers while another program changes the Maildir', () => {
  it('never shifts: no message vanishes, reappears or appears below a known UID', async () => {
    await seedMaildir(maildir, 1200); // several getdents() calls per listing of cur/
    server = await runMailport(await setUpMailport(maildir));
    const client = await selectInbox(server.ports.imap);
    const model = new ImapModel();
    expect(await model.run(client, 's', 'SELECT INBOX')).toMatch(/^s OK/);
    await model.fetchAll(client, 'f0');

    let done = false;
    const mutator = runMutator(maildir, 8_000, 14, false).finally(() => (done = true));
    const refused: string[] = [];
    try {
      for (let round = 1; !done && round < 10_000; round++) {
        await model.run(client, `n${round}`, 'NOOP');
        const tagged = await model.fetchAll(client, `f${round}`);
        if (!/^f\d+ OK/.test(tagged)) refused.push(tagged);
      }
    } finally {
      await mutator.catch(() => undefined);
    }
    const result = await mutator;
    await model.run(client, 'n', 'NOOP');
    await model.fetchAll(client, 'f');
    client.close();

    expect(model.problems).toEqual({ seqMismatches: [], uidReuse: [], appearedBelow: [] });
    expect(refused.join('\n')).toBe(''); // no message was missing when fetched
    expect(model.expunges).toBe(0); // nothing was deleted
    expect(model.uids).toHaveLength(1200 + result.delivered.length);
    for (const id of result.delivered) expect(model.uidByMessageId.has(id)).toBe(true);
  });
});

/** The messages of a mailbox as UID → Message-ID, from a fresh SELECT. */
async function uidMap(
  port: number,
  mailbox = 'INBOX',
): Promise<{ validity: number; ids: Map<number, string> }> {
  const client = await selectInbox(port);
  const model = new ImapModel();
  const { untagged } = await client.imap('s', `SELECT ${mailbox}`);
  for (const line of untagged) model.apply(line);
  const validity = Number(/UIDVALIDITY (\d+)/.exec(untagged.join('\n'))?.[1]);
  if (model.uids.length > 0) await model.fetchAll(client, 'f');
  client.close();
  return { validity, ids: model.messageIdByUid };
}

async function statusValidity(client: LineClient, tag: string, mailbox: string): Promise<number> {
  const { untagged, tagged } = await client.imap(tag, `STATUS ${mailbox} (UIDVALIDITY)`);
  expect(tagged).toMatch(/ OK/);
  return Number(/UIDVALIDITY (\d+)/.exec(untagged.join(' '))?.[1]);
}

async function appendLine(client: LineClient, tag: string, mailbox: string, text: string) {
  const body = text.replace(/\n/g, '\r\n');
  return client.imap(tag, `APPEND ${mailbox} {${Buffer.byteLength(body)}+}\r\n${body}`, 30_000);
}

describe('UIDVALIDITY', () => {
  it('is never given again to a name deleted and created again in the same second', async () => {
    await seedMaildir(maildir, 1);
    server = await runMailport(await setUpMailport(maildir));
    const client = await selectInbox(server.ports.imap);
    const seen: number[] = [];
    for (let round = 0; round < 3; round++) {
      expect((await client.imap(`c${round}`, 'CREATE Reused')).tagged).toMatch(/OK/);
      await appendLine(client, `a${round}`, 'Reused', `Message-ID: <r${round}@test>\n\nx\n`);
      seen.push(await statusValidity(client, `s${round}`, 'Reused'));
      expect((await client.imap(`d${round}`, 'DELETE Reused')).tagged).toMatch(/OK/);
    }
    client.close();
    expect(new Set(seen).size).toBe(3);
    // Kept at the root the way Dovecot 2.3 keeps it: the last value, in hex, twice. The
    // server may have given one more since, to a folder it opened in the background.
    const last = await readFile(join(maildir, 'dovecot-uidvalidity'), 'utf8');
    expect(last).toMatch(/^[0-9a-f]{8}$/);
    expect(parseInt(last, 16)).toBeGreaterThanOrEqual(Math.max(...seen));
    expect(await readdir(maildir)).toContain(`dovecot-uidvalidity.${last}`);
  });

  it('writes no temporary file under a folder name in the Maildir root', async () => {
    // In Maildir++ every name in the root that begins with "." is a folder. Another program
    // listing the root while Mailport replaces dovecot-uidvalidity must not see one more.
    await seedMaildir(maildir, 1);
    server = await runMailport(await setUpMailport(maildir));
    const seen = new Set<string>();
    const watcher = watch(maildir, (_event, name) => {
      if (name) seen.add(name.toString());
    });
    try {
      const client = await selectInbox(server.ports.imap);
      for (let round = 0; round < 3; round++) {
        expect((await client.imap(`c${round}`, `CREATE Box${round}`)).tagged).toMatch(/OK/);
        await statusValidity(client, `s${round}`, `Box${round}`); // gives it one, if not yet
      }
      client.close();
      await sleep(100); // inotify events are delivered asynchronously
    } finally {
      watcher.close();
    }
    const folderNames = /^\.(Box\d|Sent|Drafts|Trash|Junk|Archive)$/;
    const strays = [...seen].filter((n) => n.startsWith('.') && !folderNames.test(n));
    expect(seen).toContain('dovecot-uidvalidity');
    expect(strays).toEqual([]);
  });

  it.skipIf(!hasDovecot)('comes from one counter shared with Dovecot', async () => {
    await chmod(work, 0o755); // Dovecot serves the Maildir as an unprivileged user
    await seedMaildir(maildir, 1);
    const dovecot = await startDovecot(maildir);
    try {
      const viaDovecot = async (name: string): Promise<number> => {
        const c = new ImapFlow({
          host: '127.0.0.1',
          port: dovecot.imapPort,
          secure: false,
          doSTARTTLS: false,
          auth: { user: dovecot.user, pass: dovecot.password },
          logger: false,
        });
        await c.connect();
        await c.mailboxCreate(name);
        const status = await c.status(name, { uidValidity: true });
        const uidValidity = (status as { uidValidity?: bigint }).uidValidity;
        await c.mailboxDelete(name);
        await c.logout();
        return Number(uidValidity);
      };
      // The reference: Dovecot gives a name created again another value.
      const d1 = await viaDovecot('Box');
      const d2 = await viaDovecot('Box');
      expect(d2).toBeGreaterThan(d1);
      server = await runMailport(await setUpMailport(maildir));
      const client = await selectInbox(server.ports.imap);
      expect((await client.imap('c', 'CREATE Box')).tagged).toMatch(/OK/);
      const ours = await statusValidity(client, 's', 'Box');
      expect((await client.imap('d', 'DELETE Box')).tagged).toMatch(/OK/);
      client.close();
      expect(ours).toBeGreaterThan(d2);
      dovecot.handOver();
      expect(await viaDovecot('Box')).toBeGreaterThan(ours);
    } finally {
      await dovecot.stop();
    }
  });
});

/** The uidlist of the seeded INBOX with the UIDs a backup holds. */
function uidlistText(validity: number, uids: number[]): string {
  const lines = uids.map((uid, i) => `${uid} :1700000000.M${i + 1}P1.seed`);
  return `3 V${validity} N${Math.max(...uids) + 1}\n${lines.join('\n')}\n`;
}

/** Writes a file in place, slowly, the way cp or a file manager restores one. */
async function restoreInPlace(path: string, text: string, during: () => Promise<void>) {
  const handle = await open(path, 'w'); // truncates, keeps the inode
  try {
    const cut = text.indexOf('\n', text.indexOf('\n') + 1) + 5; // inside the second record
    await handle.write(text.slice(0, cut));
    await during();
    await sleep(300);
    await handle.write(text.slice(cut));
  } finally {
    await handle.close();
  }
}

describe('a restored dovecot-uidlist', () => {
  it('is read again and kept, while serving and after a restart', async () => {
    await seedMaildir(maildir, 5);
    const ids = (uids: number[]) => new Map(uids.map((uid, i) => [uid, `<seed-${i + 1}@test>`]));
    await writeFile(join(maildir, 'dovecot-uidlist'), uidlistText(1234567, [1, 2, 3, 4, 5]));
    const setup = await setUpMailport(maildir);
    server = await runMailport(setup);
    const watcher = await selectInbox(server.ports.imap);
    expect((await watcher.imap('s', 'SELECT INBOX')).tagged).toMatch(/OK/);
    expect(await uidMap(server.ports.imap)).toEqual({
      validity: 1234567,
      ids: ids([1, 2, 3, 4, 5]),
    });

    // The same backup copied back in place while a delivery needs a new UID.
    const path = join(maildir, 'dovecot-uidlist');
    await restoreInPlace(path, uidlistText(1234567, [1, 2, 3, 4, 5]), async () => {
      await writeFile(
        join(maildir, 'new', '1800000000.M1P2.other'),
        'Message-ID: <late@test>\n\nx\n',
      );
      watcher.send('n1 NOOP\r\n');
    });
    await watcher.imapUntil('n1', 30_000);
    const after = await uidMap(server.ports.imap);
    expect(after.validity).toBe(1234567);
    expect(after.ids).toEqual(new Map([...ids([1, 2, 3, 4, 5]), [6, '<late@test>']]));

    // A backup from another UIDVALIDITY: taken as it is; the selected session must select again.
    const older = uidlistText(7654321, [11, 12, 13, 14, 15])
      .replace(/\n$/, '\n16 :1800000000.M1P2.other\n')
      .replace('N16', 'N17');
    await restoreInPlace(path, older, async () => undefined);
    watcher.send('n2 NOOP\r\n');
    expect((await watcher.until(/^\* BYE|^n2 /, 30_000)).at(-1)).toMatch(/^\* BYE/);
    watcher.close();
    const restored = new Map([...ids([11, 12, 13, 14, 15]), [16, '<late@test>']]);
    expect(await uidMap(server.ports.imap)).toEqual({ validity: 7654321, ids: restored });
    expect(await readFile(path, 'utf8')).toBe(older); // adopted, not rewritten

    await server.stop();
    server = await runMailport(setup);
    expect(await uidMap(server.ports.imap)).toEqual({ validity: 7654321, ids: restored });
  });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function messageFiles(dir: string): Promise<string[]> {
  return [...(await readdir(join(dir, 'new'))), ...(await readdir(join(dir, 'cur')))].sort();
}

describe('dovecot-uidlist.lock', () => {
  it('left by a crashed Mailport does not block the restart', async () => {
    await seedMaildir(maildir, 2);
    await writeFile(join(maildir, 'new', '1800000000.M1P2.other'), 'Message-ID: <n@test>\n\nx\n');
    // What a Mailport killed while holding the lock leaves: `<pid>:<host>`, as Dovecot writes.
    await writeFile(join(maildir, 'dovecot-uidlist.lock'), `${deadPid()}:${hostname()}`);
    server = await runMailport(await setUpMailport(maildir));
    const client = await selectInbox(server.ports.imap);
    const select = await client.imap('s', 'SELECT INBOX', 30_000);
    expect(select.tagged).toMatch(/^s OK/);
    expect(select.untagged).toContain('* 3 EXISTS');
    const append = await appendLine(client, 'a', 'INBOX', 'Message-ID: <a@test>\n\nx\n');
    expect(append.tagged).toMatch(/^a OK \[APPENDUID \d+ 4\]/);
    client.close();
    expect(await readdir(maildir)).not.toContain('dovecot-uidlist.lock');
  });

  it('left by Mailport killed with SIGKILL while appending never blocks the next start', async () => {
    await seedMaildir(maildir, 1);
    const setup = await setUpMailport(maildir);
    let locksLeft = 0;
    for (let round = 0; round < 6; round++) {
      if ((await readdir(maildir)).includes('dovecot-uidlist.lock')) locksLeft += 1;
      server = await runMailport(setup);
      const client = await selectInbox(server.ports.imap);
      expect((await client.imap('s', 'SELECT INBOX', 30_000)).tagged).toMatch(/^s OK/);
      const body = `Message-ID: <k${round}@test>\r\n\r\nx\r\n`;
      const appends = Array.from(
        { length: 300 },
        (_, i) => `a${i} APPEND INBOX {${body.length}+}\r\n${body}\r\n`,
      );
      client.send(appends.join(''));
      await client.until(/^a20 /, 30_000); // well into the appends
      // Killed the moment it holds the lock (most rounds), as a crash would find it.
      const lock = join(maildir, 'dovecot-uidlist.lock');
      for (let i = 0; i < 100_000 && !existsSync(lock); i++) await new Promise(setImmediate);
      await server.stop('SIGKILL');
      client.close();
    }
    server = await runMailport(setup);
    const client = await selectInbox(server.ports.imap);
    expect((await client.imap('s', 'SELECT INBOX', 30_000)).tagged).toMatch(/^s OK/);
    const last = await appendLine(client, 'a', 'INBOX', 'Message-ID: <last@test>\n\nx\n');
    expect(last.tagged).toMatch(/^a OK \[APPENDUID/);
    client.close();
    expect(locksLeft).toBeGreaterThan(0); // the case this test is about did happen
  });

  it('held by a live process: APPEND answers NO and stores nothing, so a retry makes no duplicate', async () => {
    await seedMaildir(maildir, 2);
    server = await runMailport(await setUpMailport(maildir));
    const client = await selectInbox(server.ports.imap);
    expect((await client.imap('s', 'SELECT INBOX')).tagged).toMatch(/OK/);
    const before = await messageFiles(maildir);
    const lock = join(maildir, 'dovecot-uidlist.lock');
    await writeFile(lock, `${process.pid}:${hostname()}`); // this test process: alive
    const refused = await appendLine(client, 'a1', 'INBOX', 'Message-ID: <once@test>\n\nx\n');
    expect(refused.tagged).toMatch(/^a1 NO \[INUSE\]/);
    expect(await messageFiles(maildir)).toEqual(before);
    await rm(lock);
    const retried = await appendLine(client, 'a2', 'INBOX', 'Message-ID: <once@test>\n\nx\n');
    expect(retried.tagged).toMatch(/^a2 OK \[APPENDUID \d+ 3\]/);
    const fetched = await client.imap('f', 'FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])');
    client.close();
    expect(fetched.untagged.filter((l) => l.includes('<once@test>'))).toHaveLength(1);
  });
});
