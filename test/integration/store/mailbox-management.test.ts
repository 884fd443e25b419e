/**
 * Store operations IMAP relies on, on real temporary Maildirs: APPEND, COPY (hard links),
 * RENAME (children, INBOX), DELETE, STATUS counts, subscriptions and the parsed-facts cache.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';

let root: string;
let store: MaildirStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-mgmt-'));
  store = new MaildirStore(root);
  await store.ensure();
});
afterEach(() => rm(root, { recursive: true, force: true }));

const all = async (folder: string) => {
  const dir = join(root, folder);
  return [
    ...(await readdir(join(dir, 'new'))).map((f) => `new/${f}`),
    ...(await readdir(join(dir, 'cur'))).map((f) => `cur/${f}`),
  ];
};

describe('append and copy', () => {
  it('appends into new/ (\\Recent), with flags in the name, returning increasing UIDs', async () => {
    const inbox = await store.openMailbox('INBOX');
    const a = await inbox.append(Buffer.from('Subject: a\n\nx\n'), {
      flags: ['\\Seen', 'Work'],
      internalDate: new Date('2021-05-01T00:00:00Z'),
    });
    const b = await inbox.append(Buffer.from('Subject: b\n\ny\n'));
    expect([a, b]).toEqual([1, 2]);
    const files = await all('');
    expect(files).toHaveLength(2);
    expect(files).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^new\/.*:2,Sa$/),
        expect.stringMatching(/^new\/\d+\.M\d+P\d+Q\d+\.[^:]+,S=14,W=17$/),
      ]),
    );
    const flagged = files.find((f) => f.endsWith(':2,Sa'))!;
    expect((await stat(join(root, flagged))).mtime.toISOString()).toBe('2021-05-01T00:00:00.000Z');
    expect(await readFile(join(root, 'dovecot-keywords'), 'utf8')).toBe('0 Work\n');
    await inbox.close();
  });

  it('copies as hard links with flags and keywords, mapping UIDs in order', async () => {
    await store.createMailbox('Archive');
    const inbox = await store.openMailbox('INBOX');
    for (const s of ['1', '2', '3'])
      await inbox.append(Buffer.from(`Subject: ${s}\n\n`), { flags: s === '2' ? ['$Label'] : [] });
    await inbox.sync();
    expect(await inbox.copyTo([1, 2, 3], 'Archive')).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const copies = await all('.Archive');
    expect(copies).toHaveLength(3);
    expect(copies.filter((f) => f.endsWith(':2,a'))).toHaveLength(1);
    expect(await readFile(join(root, '.Archive', 'dovecot-keywords'), 'utf8')).toBe('0 $Label\n');
    const original = (await stat(join(root, (await all(''))[0]!))).ino;
    const inodes = await Promise.all(
      copies.map(async (f) => (await stat(join(root, '.Archive', f))).ino),
    );
    expect(inodes).toContain(original);
    await expect(inbox.copyTo([1], 'Nowhere')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await inbox.close();
  });
});

describe('rename, delete, counts and subscriptions', () => {
  it('renames a mailbox with its children and refuses moving it under itself', async () => {
    await store.createMailbox('Work');
    await store.createMailbox('Work/2024');
    await store.renameMailbox('Work', 'Jobs');
    expect((await store.listMailboxes()).map((m) => m.name)).toEqual([
      'INBOX',
      'Jobs',
      'Jobs/2024',
    ]);
    await expect(store.renameMailbox('Jobs', 'Jobs/Sub')).rejects.toMatchObject({
      code: 'INVALID_NAME',
    });
    await expect(store.renameMailbox('Nope', 'X')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await store.createMailbox('Other');
    await expect(store.renameMailbox('Jobs', 'Other')).rejects.toMatchObject({ code: 'EXISTS' });
  });

  it('deletes a mailbox and its mail, keeps its children, never INBOX', async () => {
    await store.createMailbox('A');
    await store.createMailbox('A/B');
    await store.deliver('A', Buffer.from('x\n'));
    await store.deleteMailbox('A');
    expect((await store.listMailboxes()).map((m) => m.name)).toEqual(['INBOX', 'A/B']);
    expect((await readdir(root)).filter((n) => n.startsWith('..'))).toEqual([]);
    await expect(store.deleteMailbox('INBOX')).rejects.toMatchObject({ code: 'PERM' });
  });

  it('counts messages, unseen and recent without claiming \\Recent', async () => {
    await store.deliver('INBOX', Buffer.from('a\n'));
    const inbox = await store.openMailbox('INBOX');
    await inbox.append(Buffer.from('b\n'), { flags: ['\\Seen'] });
    await inbox.close();
    const counts = await store.counts('INBOX');
    // The APPENDed one is \Recent too (RFC 3501 §6.3.11).
    expect(counts).toMatchObject({ messages: 2, recent: 2, unseen: 1, uidNext: 3, size: 6 });
    expect(await readdir(join(root, 'new'))).toHaveLength(2); // still new: nobody selected it
  });

  it('keeps subscriptions in a file Dovecot reads, and reads Dovecot 2.3’s format', async () => {
    await store.setSubscribed('Sent', true);
    await store.setSubscribed('Work/2024', true);
    await store.setSubscribed('Sent', false);
    await store.setSubscribed('Köln', true);
    expect(await readFile(join(root, 'subscriptions'), 'utf8')).toBe(
      'V\t2\n\nWork\t2024\nK&APY-ln\n',
    );
    await writeFile(join(root, 'subscriptions'), 'V\t2\n\nINBOX\nArchive\t2024\nA\x01x\n');
    expect(await store.subscriptions()).toEqual(['INBOX', 'Archive/2024']);
    await store.setSubscribed('Sent', true); // keeps the line it cannot read
    expect(await readFile(join(root, 'subscriptions'), 'utf8')).toBe(
      'V\t2\n\nINBOX\nArchive\t2024\nA\x01x\nSent\n',
    );
    await writeFile(join(root, 'subscriptions'), 'Work/2024\nArchive.2023\nB\u00fcro\n'); // version 1
    expect(await store.subscriptions()).toEqual(['Work/2024', 'Archive/2023', 'Büro']);
  });

  it('keeps parsed facts in mailport.cache across openings', async () => {
    await store.deliver('INBOX', Buffer.from('a\n'));
    let inbox = await store.openMailbox('INBOX');
    await inbox.sync();
    let computed = 0;
    const compute = async () => {
      computed += 1;
      return { subject: 'x' };
    };
    expect(await inbox.cached(1, 'envelope', compute)).toEqual({ subject: 'x' });
    await inbox.close(); // writes the cache
    inbox = await store.openMailbox('INBOX');
    await inbox.sync();
    expect(await inbox.cached(1, 'envelope', compute)).toEqual({ subject: 'x' });
    expect(computed).toBe(1);
    await inbox.close();
  });
});
