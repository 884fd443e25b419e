/**
 * mbsync (isync 1.4.4, OpenSSL) against a live `mailport serve` over IMAPS, verifying the
 * certificate against the local CA: a full two-way sync of three folders, then changes on
 * both sides (a delivery into the server's Maildir and a phone flagging and moving mail over
 * IMAP; flags changed and a message moved in the local Maildir), then a resync after which
 * both Maildirs hold the same messages with the same flags, and a third sync that changes
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { MaildirStore } from '../../src-main/core/store/maildir/maildir-store.js';
import { run } from '../helpers/run.js';
import { serveSecurely, type SecureMailport } from '../helpers/secure-serve.js';

const USER = 'syncer';
const PASSWORD = 'correct horse battery';
const FOLDERS = ['INBOX', 'Archive', 'Sent'] as const;
let work: string;
let mp: SecureMailport;

const server = () => join(work, 'server');
const local = () => join(work, 'local');
const serverFolder = (name: string) => (name === 'INBOX' ? server() : join(server(), `.${name}`));
const localFolder = (name: string) => join(local(), name);

const message = (subject: string) =>
  Buffer.from(
    `From: a@example.org\nSubject: ${subject}\nMessage-ID: <${subject.replace(/\W/g, '')}@t>\n\n${subject} body\n`,
  );

/** `cur/…` and `new/…` file names of one Maildir folder. */
async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['cur', 'new'])
    for (const f of await readdir(join(dir, sub)).catch(() => [] as string[]))
      out.push(join(sub, f));
  return out.sort();
}

/** Subject → the flags in the file name (`:2,FS` → "FS"; a file in new/ has none). */
async function flagsBySubject(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await names(dir)) {
    const subject = /Subject: (.*)/.exec(await readFile(join(dir, f), 'utf8'))![1]!;
    out[subject] = /:2,([A-Za-z]*)$/.exec(f)?.[1] ?? '';
  }
  return out;
}

async function bothSides(): Promise<
  Record<string, [Record<string, string>, Record<string, string>]>
> {
  const out: Record<string, [Record<string, string>, Record<string, string>]> = {};
  for (const name of FOLDERS)
    out[name] = [await flagsBySubject(serverFolder(name)), await flagsBySubject(localFolder(name))];
  return out;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-mbsync-'));
  const store = new MaildirStore(server());
  await store.ensure();
  for (const name of ['Archive', 'Sent']) await store.createMailbox(name);
  for (let i = 1; i <= 5; i++) await store.deliver('INBOX', message(`inbox ${i}`));
  for (let i = 1; i <= 2; i++) await store.deliver('Archive', message(`archive ${i}`));
  await store.deliver('Sent', message('sent 1'));
  mp = await serveSecurely([{ user: USER, password: PASSWORD, maildir: server() }]);
  await mkdir(local(), { recursive: true });
  // mbsync checks DNS names only, so it connects to `localhost`.
  await writeFile(
    join(work, 'mbsyncrc'),
    [
      'IMAPAccount mailport',
      'Host localhost',
      `Port ${mp.ports.imaps}`,
      `User ${USER}`,
      `Pass "${PASSWORD}"`,
      'SSLType IMAPS',
      `CertificateFile ${mp.caFile}`,
      'SystemCertificates no',
      'AuthMechs PLAIN',
      '',
      'IMAPStore remote',
      'Account mailport',
      '',
      'MaildirStore near',
      `Path ${local()}/`,
      `Inbox ${local()}/INBOX`,
      'SubFolders Verbatim',
      '',
      'Channel all',
      'Far :remote:',
      'Near :near:',
      `Patterns ${FOLDERS.join(' ')}`,
      'Create Both',
      'Expunge Both',
      'SyncState *',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await mp?.stop();
  await rm(work, { recursive: true, force: true });
});

async function mbsync(): Promise<void> {
  const result = await run('mbsync', ['-c', join(work, 'mbsyncrc'), '-a'], {
    env: { ...process.env, HOME: work },
  });
  expect(result.code, result.stderr + result.stdout).toBe(0);
  expect(result.stderr).not.toMatch(/error|warning/i);
}

/** A phone's changes over IMAP: flag "inbox 3", move "archive 1" to Sent. */
async function phoneChanges(): Promise<void> {
  const phone = new ImapFlow({
    host: '127.0.0.1',
    port: mp.ports.imaps,
    secure: true,
    tls: { ca: [await readFile(mp.caFile, 'utf8')] },
    auth: { user: USER, pass: PASSWORD },
    logger: false,
  });
  await phone.connect();
  await phone.mailboxOpen('INBOX');
  const three = await phone.search({ subject: 'inbox 3' }, { uid: true });
  expect(three).toHaveLength(1);
  await phone.messageFlagsAdd(three as number[], ['\\Flagged'], { uid: true });
  await phone.mailboxOpen('Archive');
  const one = await phone.search({ subject: 'archive 1' }, { uid: true });
  expect(one).toHaveLength(1);
  await phone.messageMove(one as number[], 'Sent', { uid: true });
  await phone.logout();
}

/** Renames a local file to carry `flags` (mbsync keeps its ",U=n" in the name). */
async function setLocalFlags(folder: string, subject: string, flags: string): Promise<void> {
  const dir = localFolder(folder);
  for (const f of await names(dir)) {
    if (!(await readFile(join(dir, f), 'utf8')).includes(`Subject: ${subject}\n`)) continue;
    const base = f.split('/')[1]!.replace(/:2,.*$/, '');
    await rename(join(dir, f), join(dir, 'cur', `${base}:2,${flags}`));
    return;
  }
  throw new Error(`no local message "${subject}" in ${folder}`);
}

/** Moves a local file to another folder as a new message (without mbsync's UID). */
async function moveLocal(from: string, subject: string, to: string): Promise<void> {
  const dir = localFolder(from);
  for (const f of await names(dir)) {
    if (!(await readFile(join(dir, f), 'utf8')).includes(`Subject: ${subject}\n`)) continue;
    const base = f
      .split('/')[1]!
      .replace(/:2,.*$/, '')
      .replace(/,U=\d+/, '');
    await rename(join(dir, f), join(localFolder(to), 'new', base));
    return;
  }
  throw new Error(`no local message "${subject}" in ${from}`);
}

describe('mbsync over IMAPS', () => {
  it('downloads three folders', async () => {
    await mbsync();
    expect(await bothSides()).toEqual({
      INBOX: [
        { 'inbox 1': '', 'inbox 2': '', 'inbox 3': '', 'inbox 4': '', 'inbox 5': '' },
        { 'inbox 1': '', 'inbox 2': '', 'inbox 3': '', 'inbox 4': '', 'inbox 5': '' },
      ],
      Archive: [
        { 'archive 1': '', 'archive 2': '' },
        { 'archive 1': '', 'archive 2': '' },
      ],
      Sent: [{ 'sent 1': '' }, { 'sent 1': '' }],
    });
  });

  it('carries changes from both sides and converges', async () => {
    // Server: a new delivery into the Maildir, and a phone's flag and move over IMAP.
    await new MaildirStore(server()).deliver('INBOX', message('inbox 6'));
    await phoneChanges();
    // Client: read one message and flag another, move one to another folder.
    await setLocalFlags('INBOX', 'inbox 1', 'S');
    await setLocalFlags('Archive', 'archive 2', 'FS');
    await moveLocal('INBOX', 'inbox 2', 'Archive');

    await mbsync();
    const inbox = { 'inbox 1': 'S', 'inbox 3': 'F', 'inbox 4': '', 'inbox 5': '', 'inbox 6': '' };
    const archive = { 'archive 2': 'FS', 'inbox 2': '' };
    const sent = { 'sent 1': '', 'archive 1': '' };
    const sides = await bothSides();
    // The server's Maildir may keep a new message in new/ (no flags) or cur/ with ":2,".
    expect(sides).toEqual({
      INBOX: [inbox, inbox],
      Archive: [archive, archive],
      Sent: [sent, sent],
    });

    const before = await Promise.all(
      FOLDERS.flatMap((f) => [names(serverFolder(f)), names(localFolder(f))]),
    );
    await mbsync();
    const after = await Promise.all(
      FOLDERS.flatMap((f) => [names(serverFolder(f)), names(localFolder(f))]),
    );
    expect(after).toEqual(before);
  });
});
