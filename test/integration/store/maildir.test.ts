/**
 * The Maildir store on real temporary Maildirs: UIDs in dovecot-uidlist, flags in file names,
 * keywords, expunge, delivery, the cache being only a cache, and changes from other programs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';
import type { Mailbox } from '../../../src-main/core/store/types.js';

let root: string;
let store: MaildirStore;
const open: Mailbox[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-maildir-'));
  store = new MaildirStore(root);
  await store.ensure();
});
afterEach(async () => {
  for (const m of open.splice(0)) await m.close();
  await rm(root, { recursive: true, force: true });
});

async function inbox(): Promise<Mailbox> {
  const m = await store.openMailbox('INBOX');
  open.push(m);
  return m;
}

async function put(
  dir: 'new' | 'cur',
  name: string,
  text: string,
  mtime = 1_700_000_000,
): Promise<void> {
  await writeFile(join(root, dir, name), text);
  await utimes(join(root, dir, name), mtime, mtime);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of stream) out += String(c);
  return out;
}

const uidlist = () => readFile(join(root, 'dovecot-uidlist'), 'utf8');

describe('UIDs', () => {
  it('gives files UIDs in arrival order and records them in dovecot-uidlist v3', async () => {
    await put('new', '1700000002.M1P1.h', 'Subject: b\n\n');
    await put('cur', '1700000001.M1P1.h:2,S', 'Subject: a\n\n');
    await put('new', '1700000003.M1P1.h', 'Subject: c\n\n');
    const status = await (await inbox()).sync();
    expect(status.messages.map((m) => m.uid)).toEqual([1, 2, 3]);
    expect(status.uidNext).toBe(4);
    const lines = (await uidlist()).trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^3 V${status.uidValidity} N4\\b`));
    expect(lines.slice(1)).toEqual([
      '1 :1700000001.M1P1.h',
      '2 :1700000002.M1P1.h',
      '3 :1700000003.M1P1.h',
    ]);
    expect(status.recent).toEqual([2, 3]);
    expect((await readdir(join(root, 'new'))).length).toBe(0); // moved to cur/ as every reader does
    expect(status.messages[0]!.flags).toEqual(new Set(['\\Seen']));
    expect(status.messages[0]!.internalDate.getTime()).toBe(1_700_000_000_000);
  });

  it('keeps UIDs across store instances and when another program renames files', async () => {
    await put('cur', '1700000001.M1P1.h:2,', 'a\n');
    await put('cur', '1700000002.M1P1.h:2,', 'b\n');
    const first = await (await inbox()).sync();
    for (const m of open.splice(0)) await m.close();
    await rename(
      join(root, 'cur', '1700000002.M1P1.h:2,'),
      join(root, 'cur', '1700000002.M1P1.h:2,FS'),
    );
    await put('new', '1700000003.M1P1.h', 'c\n');
    const again = await (await new MaildirStore(root).openMailbox('INBOX')).sync();
    expect(again.uidValidity).toBe(first.uidValidity);
    expect(again.messages.map((m) => [m.uid, [...m.flags].sort()])).toEqual([
      [1, []],
      [2, ['\\Flagged', '\\Seen']],
      [3, []],
    ]);
  });

  it('never reuses a UID after an expunge', async () => {
    await put('cur', '1700000001.M1P1.h:2,', 'a\n');
    await put('cur', '1700000002.M1P1.h:2,', 'b\n');
    const m = await inbox();
    await m.sync();
    expect(await m.expunge([2])).toEqual([2]);
    expect(await readdir(join(root, 'cur'))).toEqual(['1700000001.M1P1.h:2,']);
    expect(await uidlist()).toMatch(/^3 V\d+ N3\b.*\n1 :1700000001.M1P1.h\n$/);
    await store.deliver('INBOX', Buffer.from('new\n'));
    expect((await m.sync()).messages.map((x) => x.uid)).toEqual([1, 3]);
  });

  it('leaves the uidlist as it is for one removal among many; a file put back gets a new UID', async () => {
    // As Dovecot does: a removed message's record stays until the file is rewritten anyway
    // (or a quarter of it is stale), so one deletion in a large folder costs no rewrite.
    for (let i = 1; i <= 20; i++) await put('cur', `17000000${10 + i}.M1P1.h:2,`, `m${i}\n`);
    const gone = join(root, 'cur', '1700000015.M1P1.h:2,');
    let m = await inbox();
    expect((await m.sync()).messages).toHaveLength(20);
    const before = await uidlist();
    await unlink(gone);
    expect((await m.sync()).messages.map((x) => x.uid)).not.toContain(5);
    expect(await uidlist()).toBe(before);
    // Put back under the same name: a new UID, never 5 again (RFC 3501 §2.3.1.1) …
    await put('cur', '1700000015.M1P1.h:2,', 'm5\n');
    const back = (await m.sync()).messages.map((x) => x.uid);
    expect(back).not.toContain(5);
    expect(back).toContain(21);
    // … also when the server restarted between the removal and the return.
    await unlink(join(root, 'cur', '1700000016.M1P1.h:2,'));
    expect((await m.sync()).messages.map((x) => x.uid)).not.toContain(6);
    for (const h of open.splice(0)) await h.close();
    store = new MaildirStore(root);
    await put('cur', '1700000016.M1P1.h:2,', 'm6\n');
    m = await inbox();
    const afterRestart = (await m.sync()).messages.map((x) => x.uid);
    expect(afterRestart).not.toContain(6);
    expect(afterRestart).toHaveLength(20);
  });

  it('starts a new UIDVALIDITY without losing mail when the uidlist is damaged', async () => {
    await put('cur', '1700000001.M1P1.h:2,', 'a\n');
    await writeFile(join(root, 'dovecot-uidlist'), 'garbage\n');
    const status = await (await inbox()).sync();
    expect(status.messages).toHaveLength(1);
    expect(await uidlist()).toMatch(/^3 V\d+ N2\b/);
  });

  it('breaks a stale dotlock left by a crashed writer', async () => {
    await put('new', '1700000001.M1P1.h', 'a\n');
    await writeFile(join(root, 'dovecot-uidlist.lock'), '');
    const old = Date.now() / 1000 - 600;
    await utimes(join(root, 'dovecot-uidlist.lock'), old, old);
    expect((await (await inbox()).sync()).messages).toHaveLength(1);
    expect(await readdir(root)).not.toContain('dovecot-uidlist.lock');
  });
});

describe('syncs at the same time', () => {
  it('gives new mail as \\Recent to one of the sessions syncing together', async () => {
    await put('cur', '1700000001.M1P1.h:2,S', 'a\n');
    const [a, b, c] = [await inbox(), await inbox(), await inbox()];
    await a.sync();
    await store.deliver('INBOX', Buffer.from('Subject: new\n\nhello\n'));
    const results = await Promise.all([a.sync(), b.sync(), c.sync(), a.sync()]);
    expect(results.map((r) => r.messages.map((m) => m.uid))).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    expect(results.flatMap((r) => r.recent)).toEqual([2]);
    expect(await readdir(join(root, 'new'))).toEqual([]);
  });

  it('shows a sync asked for after a delivery that delivery, even while another sync runs', async () => {
    const [a, b] = [await inbox(), await inbox()];
    for (let i = 0; i < 20; i++) {
      const running = a.sync({ claimRecent: false });
      await store.deliver('INBOX', Buffer.from(`Subject: ${i}\n\n${i}\n`));
      const after = await b.sync({ claimRecent: false });
      expect(after.messages).toHaveLength(i + 1);
      expect(after.recent).toHaveLength(i + 1); // still in new/: nobody claimed them
      await running;
    }
  });

  it('sees files added, renamed and removed after a listing of folders untouched for a while', async () => {
    await put('cur', '1700000001.M1P1.h:2,', 'a\n');
    await put('cur', '1700000002.M1P1.h:2,', 'b\n');
    const old = Date.now() / 1000 - 3600;
    for (const sub of ['new', 'cur']) await utimes(join(root, sub), old, old);
    const m = await inbox();
    expect((await m.sync()).messages).toHaveLength(2); // listed, and trusted from now on
    const again = await m.sync();
    expect(again.messages.map((x) => [...x.flags])).toEqual([[], []]);
    await rename(
      join(root, 'cur', '1700000002.M1P1.h:2,'),
      join(root, 'cur', '1700000002.M1P1.h:2,S'),
    );
    expect((await m.sync()).messages.map((x) => [...x.flags])).toEqual([[], ['\\Seen']]);
    await put('new', '1700000003.M1P1.h', 'c\n');
    expect((await m.sync({ claimRecent: false })).messages).toHaveLength(3);
    await unlink(join(root, 'cur', '1700000001.M1P1.h:2,'));
    expect((await m.sync()).messages.map((x) => x.uid)).toEqual([2, 3]);
  });

  it('reports changed flags with a new record and keeps unchanged ones the same', async () => {
    await put('cur', '1700000001.M1P1.h:2,', 'a\n');
    await put('cur', '1700000002.M1P1.h:2,', 'b\n');
    const m = await inbox();
    const first = await m.sync();
    await rename(
      join(root, 'cur', '1700000002.M1P1.h:2,'),
      join(root, 'cur', '1700000002.M1P1.h:2,F'),
    );
    const second = await m.sync();
    expect(second.messages[0]).toBe(first.messages[0]);
    expect([...second.messages[1]!.flags]).toEqual(['\\Flagged']);
    expect([...first.messages[1]!.flags]).toEqual([]);
  });
});

describe('opening a folder while it closes', () => {
  it('waits for the close, so HIGHESTMODSEQ does not jump to the reserve the state file held', async () => {
    await put('cur', '1700000001.M1P1.h:2,', 'a\n');
    const first = await store.openMailbox('INBOX');
    await first.sync();
    await first.updateFlags(1, 'add', ['\\Flagged']); // past the ceiling: written with a reserve
    const before = (await first.sync()).highestModseq;
    const closing = first.close(); // writes the true ceiling, not awaited yet
    const again = await inbox();
    expect((await again.sync()).highestModseq).toBe(before);
    await closing;
  });
});

describe('flags and keywords', () => {
  it('stores flags as sorted letters and keywords in dovecot-keywords', async () => {
    await put('cur', '1700000001.M1P1.h:2,P', 'a\n');
    const m = await inbox();
    await m.sync();
    let r = await m.updateFlags(1, 'add', ['\\Seen', '\\Flagged', '$Forwarded', '\\Recent']);
    expect([...r.flags].sort()).toEqual(['$Forwarded', '\\Flagged', '\\Seen']);
    expect(await readdir(join(root, 'cur'))).toEqual(['1700000001.M1P1.h:2,FPSa']);
    expect(await readFile(join(root, 'dovecot-keywords'), 'utf8')).toBe('0 $Forwarded\n');
    r = await m.updateFlags(1, 'remove', ['\\seen', '$forwarded']);
    expect([...r.flags]).toEqual(['\\Flagged']);
    r = await m.updateFlags(1, 'set', ['\\Deleted', 'Work']);
    expect(await readdir(join(root, 'cur'))).toEqual(['1700000001.M1P1.h:2,PTb']);
    expect(await readFile(join(root, 'dovecot-keywords'), 'utf8')).toBe('0 $Forwarded\n1 Work\n');
  });

  it('finds a message renamed by another program before changing its flags', async () => {
    await put('cur', '1700000001.M1P1.h:2,', 'a\n');
    const m = await inbox();
    await m.sync();
    await rename(
      join(root, 'cur', '1700000001.M1P1.h:2,'),
      join(root, 'cur', '1700000001.M1P1.h:2,R'),
    );
    const r = await m.updateFlags(1, 'add', ['\\Seen']);
    expect([...r.flags].sort()).toEqual(['\\Answered', '\\Seen']);
    expect(await readAll(await m.openMessage(1))).toBe('a\r\n');
  });

  it('reports a message deleted by another program as expunged', async () => {
    await put('cur', '1700000001.M1P1.h:2,', 'a\n');
    const m = await inbox();
    await m.sync();
    await unlink(join(root, 'cur', '1700000001.M1P1.h:2,'));
    await expect(m.openMessage(1)).rejects.toMatchObject({ code: 'EXPUNGED' });
    await expect(m.updateFlags(1, 'add', ['\\Seen'])).rejects.toMatchObject({ code: 'EXPUNGED' });
    expect((await m.sync()).messages).toEqual([]);
  });
});

describe('sizes and content', () => {
  it('reports CRLF sizes for LF files and streams CRLF bytes', async () => {
    const lf = 'Subject: x\n\nline one\nline two\n';
    await put('cur', '1700000001.M1P1.h:2,', lf);
    await put('cur', '1700000002.M1P1.h:2,', 'Subject: y\r\n\r\nok\r\n');
    const m = await inbox();
    const { messages } = await m.sync();
    expect(messages.map((x) => x.size)).toEqual([lf.length + 4, 'Subject: y\r\n\r\nok\r\n'.length]);
    expect(await readAll(await m.openMessage(1))).toBe(lf.replace(/\n/g, '\r\n'));
  });

  it('reads whole messages and headers alone as CRLF bytes, long headers too', async () => {
    const long = `X-Long: ${'a'.repeat(20_000)}`;
    await put('cur', '1700000001.M1P1.h:2,', 'Subject: x\nTo: y\n\nbody\n');
    await put('cur', '1700000002.M1P1.h:2,', `${long}\n\nbody\n`);
    await put('cur', '1700000003.M1P1.h:2,', 'Subject: no body');
    await put('cur', '1700000004.M1P1.h:2,', `${'x'.repeat(300_000)}\n`);
    const m = await inbox();
    await m.sync();
    expect((await m.readHeader(1)).toString()).toBe('Subject: x\r\nTo: y\r\n\r\n');
    expect((await m.readHeader(2)).toString()).toBe(`${long}\r\n\r\n`);
    expect((await m.readHeader(3)).toString()).toBe('Subject: no body');
    expect((await m.readMessage(1)).toString()).toBe('Subject: x\r\nTo: y\r\n\r\nbody\r\n');
    expect((await m.readMessage(4)).length).toBe(300_002);
    for (const uid of [1, 2, 3, 4]) {
      const wire = await m.readMessageWire(uid);
      expect(wire.bytes.equals(await m.readMessage(uid))).toBe(true);
      wire.release();
    }
    expect((await m.readMessage(1)).toString()).toBe('Subject: x\r\nTo: y\r\n\r\nbody\r\n');
  });

  it('rebuilds sizes when the cache is deleted or damaged', async () => {
    await put('cur', '1700000001.M1P1.h:2,', 'a\nb\n');
    let m = await inbox();
    const sizes = (await m.sync()).messages.map((x) => x.size);
    for (const h of open.splice(0)) await h.close(); // the cache is written soon after, or at close
    expect(await readdir(root)).toContain('mailport.cache');
    for (const damage of [
      () => unlink(join(root, 'mailport.cache')),
      () => writeFile(join(root, 'mailport.cache'), '{'),
    ]) {
      for (const h of open.splice(0)) await h.close();
      await damage();
      m = await inbox();
      expect((await m.sync()).messages.map((x) => x.size)).toEqual(sizes);
    }
  });

  it('appends what one new message teaches to mailport.cache, and writes nothing for a removal', async () => {
    for (let i = 1; i <= 20; i++) await put('cur', `17000000${10 + i}.M1P1.h:2,`, `m${i}\n`);
    const cache = () => readFile(join(root, 'mailport.cache'), 'utf8');
    let m = await inbox();
    await m.sync();
    for (const h of open.splice(0)) await h.close(); // writes the cache
    const first = await cache();
    m = await inbox();
    await m.sync();
    await store.deliver('INBOX', Buffer.from('Subject: new\n\nx\n'));
    await put('cur', '1700000099.M1P1.h:2,', 'no sizes in this name\n');
    await m.sync();
    for (const h of open.splice(0)) await h.close();
    const second = await cache();
    expect(second.startsWith(first)).toBe(true);
    expect(second.slice(first.length)).toContain('1700000099.M1P1.h');
    m = await inbox();
    await m.sync();
    await unlink(join(root, 'cur', '1700000011.M1P1.h:2,'));
    expect((await m.sync()).messages).toHaveLength(21);
    for (const h of open.splice(0)) await h.close();
    expect(await cache()).toBe(second);
  });

  it('looks at a file named with its sizes only when its size or date is asked for', async () => {
    await put('cur', '1700000001.M1P1.h,S=4,W=6:2,', 'a\nb\n');
    await put('cur', '1700000002.M1P1.h,S=4,W=6:2,', 'a\nb\n');
    await utimes(join(root, 'cur', '1700000001.M1P1.h,S=4,W=6:2,'), 1_600_000_000, 1_600_000_000);
    const m = await inbox();
    const { messages } = await m.sync();
    expect(messages[0]!.internalDate.getTime()).toBe(1_600_000_000_000); // the file's mtime
    await unlink(join(root, 'cur', '1700000002.M1P1.h,S=4,W=6:2,'));
    // Gone before anyone asked: described from its name until the next sync drops it.
    expect(messages[1]!.size).toBe(6);
    expect(messages[1]!.internalDate.getTime()).toBe(1_700_000_002_000);
    expect((await m.sync()).messages.map((x) => x.uid)).toEqual([1]);
  });

  it('trusts W= only when S= matches the file', async () => {
    await put('cur', '1700000001.M1P1.h,S=4,W=6:2,', 'a\nb\n');
    await put('cur', '1700000002.M1P1.h,S=999,W=999:2,', 'a\nb\n');
    expect((await (await inbox()).sync()).messages.map((x) => x.size)).toEqual([6, 6]);
  });
});

describe('delivery and watching', () => {
  it('delivers through tmp/ into new/ with S= and W=, and tells watchers', async () => {
    const m = await inbox();
    await m.sync();
    const changed = new Promise<string>((resolve) => m.watch((c) => resolve(c.mailbox)));
    await store.deliver('INBOX', Buffer.from('Subject: hi\n\nhello\n'));
    expect(await changed).toBe('INBOX');
    const [name] = await readdir(join(root, 'new'));
    expect(name).toMatch(/^\d+\.M\d+P\d+Q\d+\.[^,]+,S=19,W=22$/);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect((await m.sync()).messages.map((x) => x.size)).toEqual([22]);
  });

  it('a closed mailbox starts no watcher, so nothing keeps a stopping server alive', async () => {
    const watchers = (): number =>
      (process as unknown as { _getActiveHandles(): object[] })
        ._getActiveHandles()
        .filter((h) => h.constructor.name === 'FSWatcher').length;
    const before = watchers();
    const m = await store.openMailbox('INBOX');
    await m.close();
    // A session's SELECT that was still opening when the session ended watches afterwards.
    const stop = m.watch(() => undefined);
    expect(watchers()).toBe(before);
    stop();
  });

  it('lists, creates and opens Maildir++ folders', async () => {
    await store.createMailbox('Archive/2024');
    await store.createMailbox('Entwürfe');
    await expect(store.createMailbox('Entwürfe')).rejects.toMatchObject({ code: 'EXISTS' });
    await expect(store.createMailbox('../escape')).rejects.toMatchObject({ code: 'INVALID_NAME' });
    await expect(store.openMailbox('Nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await store.listMailboxes()).map((e) => e.name)).toEqual([
      'INBOX',
      'Archive/2024',
      'Entwürfe',
    ]);
    expect((await readdir(root)).filter((n) => n.startsWith('.')).sort()).toEqual([
      '.Archive.2024',
      '.Entw&APw-rfe',
    ]);
    await store.deliver('Archive/2024', Buffer.from('x\n'));
    const m = await store.openMailbox('Archive/2024');
    open.push(m);
    expect((await m.sync()).messages).toHaveLength(1);
  });

  it('cleans files abandoned in tmp/ for more than 36 hours', async () => {
    await writeFile(join(root, 'tmp', 'old'), 'x');
    await writeFile(join(root, 'tmp', 'fresh'), 'y');
    const old = Date.now() / 1000 - 37 * 3600;
    await utimes(join(root, 'tmp', 'old'), old, old);
    await inbox();
    expect(await readdir(join(root, 'tmp'))).toEqual(['fresh']);
  });
});
