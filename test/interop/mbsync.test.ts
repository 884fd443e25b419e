/**
 * curl's imap:// and Debian's mbsync (isync) against a running `mailport serve`: a two-way
 * sync of three folders, changes on both sides, and a resync that converges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';
import { run } from '../../helpers/run.js';
import {
  runMailport,
  setUpMailport,
  type MailportSetup,
  type RunningMailport,
} from '../../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
let work: string;
let maildir: string;
let setup: MailportSetup;
let server: RunningMailport;

const message = (subject: string) =>
  Buffer.from(
    `From: a@example.org\nSubject: ${subject}\nMessage-ID: <${subject.replace(/\W/g, '')}@t>\n\n${subject} body\n`,
  );

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['cur', 'new']) {
    for (const f of await readdir(join(dir, sub)).catch(() => [] as string[]))
      out.push(join(sub, f));
  }
  return out.sort();
}

async function subjects(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of await names(dir))
    out.push(/Subject: (.*)/.exec(await readFile(join(dir, f), 'utf8'))![1]!);
  return out.sort();
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-sync-'));
  maildir = join(work, 'server');
  const store = new MaildirStore(maildir);
  await store.ensure();
  for (const name of ['Archive', 'Sent']) await store.createMailbox(name);
  for (let i = 1; i <= 5; i++) await store.deliver('INBOX', message(`inbox ${i}`));
  for (let i = 1; i <= 2; i++) await store.deliver('Archive', message(`archive ${i}`));
  await store.deliver('Sent', message('sent 1'));
  setup = await setUpMailport(maildir, { user: USER, password: PASSWORD });
  server = await runMailport(setup);
});

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('curl imap://', () => {
  it('lists folders and fetches a message by UID', async () => {
    const base = `imap://127.0.0.1:${setup.ports.imap}`;
    const listing = await run('curl', ['-sS', '--user', `${USER}:${PASSWORD}`, `${base}/`]);
    expect(listing.code, listing.stderr).toBe(0);
    expect(listing.stdout).toContain('"/" INBOX');
    expect(listing.stdout).toContain('"/" Archive');
    const fetched = await run('curl', [
      '-sS',
      '--user',
      `${USER}:${PASSWORD}`,
      `${base}/INBOX;UID=2`,
    ]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toBe(message('inbox 2').toString().replace(/\n/g, '\r\n'));
    const search = await run('curl', [
      '-sS',
      '--user',
      `${USER}:${PASSWORD}`,
      `${base}/INBOX?SUBJECT%20%22inbox%203%22`,
    ]);
    expect(search.stdout.trim()).toBe('* SEARCH 3');
  });
});

describe('mbsync', () => {
  const local = () => join(work, 'local');
  let rc: string;

  beforeAll(async () => {
    await mkdir(local(), { recursive: true });
    rc = join(work, 'mbsyncrc');
    await writeFile(
      rc,
      [
        'IMAPAccount mailport',
        'Host 127.0.0.1',
        `Port ${setup.ports.imap}`,
        `User ${USER}`,
        `Pass "${PASSWORD}"`,
        'SSLType None',
        'AuthMechs LOGIN',
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
        'Patterns INBOX Archive Sent',
        'Create Both',
        'Expunge Both',
        'SyncState *',
        '',
      ].join('\n'),
    );
  });

  const mbsync = () => run('mbsync', ['-c', rc, '-a'], { env: { ...process.env, HOME: work } });

  it('downloads three folders', async () => {
    const first = await mbsync();
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(await subjects(join(local(), 'INBOX'))).toEqual([
      'inbox 1',
      'inbox 2',
      'inbox 3',
      'inbox 4',
      'inbox 5',
    ]);
    expect(await subjects(join(local(), 'Archive'))).toEqual(['archive 1', 'archive 2']);
    expect(await subjects(join(local(), 'Sent'))).toEqual(['sent 1']);
  });

  it('carries changes both ways and converges', async () => {
    // Server side: a new delivery. Client side: a flag change and a move to another folder.
    await new MaildirStore(maildir).deliver('INBOX', message('inbox 6'));
    const localInbox = join(local(), 'INBOX');
    const files = await names(localInbox);
    const byFile = new Map<string, string>();
    for (const f of files)
      byFile.set(/Subject: (.*)/.exec(await readFile(join(localInbox, f), 'utf8'))![1]!, f);
    const seenFile = byFile.get('inbox 1')!;
    await rename(
      join(localInbox, seenFile),
      join(
        localInbox,
        seenFile.replace(/:2,([A-Z]*)$/, (_m, f: string) => `:2,${[...f, 'S'].sort().join('')}`),
      ),
    );
    const movedFile = byFile.get('inbox 2')!;
    // mbsync keeps the far side's UID in the name (,U=n): a moved file must lose it.
    const movedName = movedFile
      .split('/')[1]!
      .split(':')[0]!
      .replace(/,U=\d+/, '');
    await rename(join(localInbox, movedFile), join(local(), 'Archive', 'new', movedName));

    const second = await mbsync();
    expect(second.code, second.stderr + second.stdout).toBe(0);
    expect(await subjects(maildir)).toEqual([
      'inbox 1',
      'inbox 3',
      'inbox 4',
      'inbox 5',
      'inbox 6',
    ]);
    expect(await subjects(join(maildir, '.Archive'))).toEqual([
      'archive 1',
      'archive 2',
      'inbox 2',
    ]);
    expect(await subjects(localInbox)).toEqual([
      'inbox 1',
      'inbox 3',
      'inbox 4',
      'inbox 5',
      'inbox 6',
    ]);
    const serverSeen = [];
    for (const f of await names(maildir)) {
      if (/:2,[A-Z]*S/.test(f))
        serverSeen.push(/Subject: (.*)/.exec(await readFile(join(maildir, f), 'utf8'))![1]);
    }
    expect(serverSeen).toEqual(['inbox 1']);

    const before = [await names(maildir), await names(localInbox)];
    const third = await mbsync();
    expect(third.code, third.stderr + third.stdout).toBe(0);
    expect([await names(maildir), await names(localInbox)]).toEqual(before);
  });
});
