/**
 * A real `mailport serve` on a Maildir that other programs write too (issue 14): folder names
 * procmail and maildrop leave on disk, ending sessions when an account changes, the RFC 3501
 * details clients check, and a Maildir deleted under the running server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { run } from '../../helpers/run.js';
import { CLI, runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';
import { freePort } from '../../helpers/ports.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
let work: string;
let maildir: string;
let server: RunningMailport;
const clients: LineClient[] = [];

async function makeFolder(dir: string, messages: string[] = []): Promise<void> {
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(dir, sub), { recursive: true });
  for (const [i, text] of messages.entries())
    await writeFile(join(dir, 'new', `${1_700_000_000 + i}.M${i}P1.host`), text);
}

async function serve(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'mailport-shared-'));
  maildir = join(work, 'Maildir');
  await makeFolder(maildir, ['Subject: one\n\nbody\n']);
  // As procmail and maildrop write them: raw UTF-8 and a raw "&", not modified UTF-7.
  await makeFolder(join(maildir, '.Büro'), ['Subject: office\n\nx\n']);
  await makeFolder(join(maildir, '.Familie & Freunde'), ['Subject: family\n\ny\n']);
  await makeFolder(join(maildir, '.Familie & Freunde.Urlaub'));
  await makeFolder(join(maildir, '.Work'));
  const adminPort = await freePort();
  const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD }, (s) => {
    s.admin.port = adminPort;
  });
  server = await runMailport(setup);
}

async function stopServer(): Promise<void> {
  for (const c of clients.splice(0)) c.close();
  await server?.stop();
  await rm(work, { recursive: true, force: true });
  await rm(server.dataDir, { recursive: true, force: true });
}

async function imap(): Promise<LineClient> {
  const c = await LineClient.connect(server.ports.imap);
  clients.push(c);
  expect(await c.line()).toMatch(/^\* OK/);
  expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK/);
  return c;
}

const tagged = async (c: LineClient, command: string) => (await c.imap('t', command)).tagged;
/** Folders on disk, less the special-use ones Mailport creates at login. */
const SPECIAL = ['.Sent', '.Drafts', '.Trash', '.Junk', '.Archive'];
const folders = async () =>
  (await readdir(maildir)).filter((n) => n.startsWith('.') && !SPECIAL.includes(n)).sort();

describe('folder names other Maildir writers leave on disk', () => {
  beforeAll(serve);
  afterAll(stopServer);

  it('lists raw UTF-8 and raw "&" folders in modified UTF-7', async () => {
    const c = await imap();
    const listed = (await c.imap('a', 'LIST "" "*"')).untagged;
    expect(listed).toContain('* LIST (\\HasNoChildren) "/" B&APw-ro');
    expect(listed).toContain('* LIST (\\HasChildren) "/" "Familie &- Freunde"');
    expect(listed).toContain('* LIST (\\HasNoChildren) "/" "Familie &- Freunde/Urlaub"');
  });

  it('opens, counts and appends to the folder that is on disk, creating no twin', async () => {
    const c = await imap();
    expect((await c.imap('s', 'SELECT B&APw-ro')).untagged).toContain('* 1 EXISTS');
    expect((await c.imap('u', 'STATUS "Familie &- Freunde" (MESSAGES)')).untagged).toEqual([
      '* STATUS "Familie &- Freunde" (MESSAGES 1)',
    ]);
    c.send('a APPEND B&APw-ro {14+}\r\nSubject: two\r\n\r\n');
    expect((await c.imapUntil('a')).tagged).toMatch(/^a OK/);
    expect(await tagged(c, 'CREATE B&APw-ro')).toMatch(/^t NO \[ALREADYEXISTS\]/);
    expect(await folders()).toEqual([
      '.Büro',
      '.Familie & Freunde',
      '.Familie & Freunde.Urlaub',
      '.Work',
    ]);
    const inBuero = async (sub: string) => (await readdir(join(maildir, '.Büro', sub))).length;
    expect((await inBuero('new')) + (await inBuero('cur'))).toBe(2);
  });

  it('renames and deletes the folder that is on disk', async () => {
    const c = await imap();
    expect(await tagged(c, 'RENAME "Familie &- Freunde" Freunde')).toMatch(/^t OK/);
    expect(await folders()).toEqual(['.Büro', '.Freunde', '.Freunde.Urlaub', '.Work']);
    expect(await tagged(c, 'DELETE B&APw-ro')).toMatch(/^t OK/);
    expect(await folders()).toEqual(['.Freunde', '.Freunde.Urlaub', '.Work']);
  });
});

describe('RFC 3501 details', () => {
  beforeAll(serve);
  afterAll(stopServer);

  it('takes "[" and "]" in unquoted mailbox names and list patterns (§9 ASTRING-CHAR)', async () => {
    const c = await imap();
    expect(await tagged(c, 'SELECT foo[bar')).toMatch(/^t NO \[NONEXISTENT\]/);
    expect(await tagged(c, 'SELECT foo]bar')).toMatch(/^t NO \[NONEXISTENT\]/);
    expect(await tagged(c, 'LIST "" foo[%')).toMatch(/^t OK/);
    expect(await tagged(c, 'LIST "" foo]%')).toMatch(/^t OK/);
    expect(await tagged(c, 'CREATE a[b]')).toMatch(/^t OK/);
    expect((await c.imap('l', 'LIST "" a[b]')).untagged).toEqual([
      '* LIST (\\HasNoChildren) "/" a[b]',
    ]);
  });

  it('sets \\Recent on messages appended or copied with flags (§6.3.11, §6.4.7)', async () => {
    const c = await imap();
    c.send('a APPEND Work (\\Seen $Work) {14+}\r\nSubject: one\r\n\r\n');
    expect((await c.imapUntil('a')).tagged).toMatch(/^a OK/);
    await tagged(c, 'SELECT INBOX');
    expect(await tagged(c, 'STORE 1 +FLAGS (\\Flagged)')).toMatch(/^t OK/);
    expect(await tagged(c, 'COPY 1 Work')).toMatch(/^t OK/);
    const selected = await c.imap('s', 'SELECT Work');
    expect(selected.untagged).toContain('* 2 RECENT');
    const fetched = (await c.imap('f', 'FETCH 1:2 FLAGS')).untagged;
    expect(fetched).toEqual([
      '* 1 FETCH (FLAGS (\\Seen \\Recent $Work))',
      '* 2 FETCH (FLAGS (\\Flagged \\Recent))',
    ]);
  });

  it('announces FLAGS and PERMANENTFLAGS before a new keyword is shown', async () => {
    const c = await imap();
    const other = await imap();
    await tagged(c, 'SELECT INBOX');
    await tagged(other, 'SELECT INBOX');
    const stored = (await c.imap('s', 'STORE 1 +FLAGS (NewKeyword)')).untagged;
    expect(stored[0]).toMatch(/^\* FLAGS \(.*NewKeyword\)$/);
    expect(stored[1]).toMatch(/^\* OK \[PERMANENTFLAGS \(.*NewKeyword \\\*\)\]/);
    expect(stored[2]).toMatch(/^\* 1 FETCH \(FLAGS \(.*NewKeyword\)\)$/);
    const seen = (await other.imap('n', 'NOOP')).untagged;
    expect(seen[0]).toMatch(/^\* FLAGS \(.*NewKeyword\)$/);
    expect(seen.at(-1)).toMatch(/^\* 1 FETCH \(FLAGS \(.*NewKeyword\)\)$/);
  });

  it('matches SEARCH FROM/TO/CC against the address, comments aside (§6.4.4)', async () => {
    const c = await imap();
    const message =
      'From: "Ann Example" (work) <ann (office) @ example.org> (sales)\r\n' +
      'To: bob@example.net (Bob), "dave"@example.net\r\n' +
      'Cc: team: (lead) carol @example.com;\r\nSubject: s\r\n\r\nx\r\n';
    c.send(`a APPEND INBOX {${message.length}+}\r\n${message}\r\n`);
    expect((await c.imapUntil('a')).tagged).toMatch(/^a OK/);
    await tagged(c, 'SELECT INBOX');
    for (const key of [
      'FROM ann@example.org',
      'FROM "Ann Example"',
      'TO bob@example.net',
      'TO dave@example.net',
      'CC carol@example.com',
    ])
      expect((await c.imap('s', `SEARCH ${key}`)).untagged, key).toEqual(['* SEARCH 2']);
  });

  it('advertises STATUS=SIZE, which STATUS answers (RFC 8438)', async () => {
    const c = await imap();
    expect((await c.imap('c', 'CAPABILITY')).untagged[0]).toMatch(/ STATUS=SIZE( |$)/);
    expect((await c.imap('s', 'STATUS INBOX (SIZE)')).untagged[0]).toMatch(/\(SIZE \d+\)$/);
  });

  it('says why a second LOGIN is refused, renames a \\Noselect parent, keeps NO text ASCII', async () => {
    const c = await imap();
    expect(await tagged(c, `LOGIN ${USER} "${PASSWORD}"`)).toMatch(/^t BAD .*already logged in/i);
    expect(await tagged(c, 'CREATE Parent/Child')).toMatch(/^t OK/);
    expect(await tagged(c, 'RENAME Parent Other')).toMatch(/^t OK/);
    const listed = (await c.imap('l', 'LIST "" Other*')).untagged;
    expect(listed).toContain('* LIST (\\HasNoChildren) "/" Other/Child');
    expect(await folders()).toContain('.Other.Child');
    expect(await tagged(c, 'SELECT K&APY-ln')).toBe(
      't NO [NONEXISTENT] Mailbox "K&APY-ln" does not exist',
    );
    c.send(Buffer.from('n SELECT "K\u00f6ln"\r\n', 'latin1'));
    const answer = (await c.imapUntil('n')).tagged;
    expect(answer).toMatch(/^n (NO|BAD) /);
    expect(answer).toMatch(/^[\x20-\x7e]*$/);
  });
});

describe('account changes while serving', () => {
  beforeAll(serve);
  afterAll(stopServer);
  const cli = (args: string[], input?: string) =>
    run(process.execPath, [CLI, ...args], {
      env: { ...process.env, MAILPORT_DATA_DIR: server.dataDir },
      ...(input !== undefined && { input }),
    });

  async function pop3(): Promise<LineClient> {
    const p = await LineClient.connect(server.ports.pop3);
    clients.push(p);
    expect(await p.line()).toMatch(/^\+OK/);
    expect(await p.command(`USER ${USER}`)).toMatch(/^\+OK/);
    expect(await p.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK/);
    return p;
  }

  it('ends the IMAP and POP3 sessions of an account whose password changed', async () => {
    const c = await imap();
    await tagged(c, 'SELECT INBOX');
    const p = await pop3();
    expect(await p.command('DELE 1')).toMatch(/^\+OK/);
    const changed = await cli(['account', 'passwd', USER, '--password-stdin'], 'another one\n');
    expect(changed.code, changed.stderr).toBe(0);
    expect(await c.line(5_000)).toMatch(/^\* BYE /);
    await c.closedByServer(5_000);
    await p.closedByServer(5_000);
    expect((await readdir(join(maildir, 'cur'))).length).toBe(1); // DELE not applied
  });

  it('ends the sessions of a removed account', async () => {
    await cli(['account', 'passwd', USER, '--password-stdin'], `${PASSWORD}\n`);
    let c: LineClient | undefined;
    for (let i = 0; i < 50 && !c; i++) {
      c = await imap().catch(() => undefined);
      if (!c) await new Promise((r) => setTimeout(r, 200));
    }
    expect((await cli(['account', 'remove', USER])).code).toBe(0);
    expect(await c!.line(5_000)).toMatch(/^\* BYE /);
    await c!.closedByServer(5_000);
  });
});

describe('a Maildir deleted under the running server', () => {
  beforeAll(serve);
  afterAll(stopServer);

  it('is logged as an error and shown by `mailport status`', async () => {
    // Retried: the background indexer may be writing its cache into the folder meanwhile.
    await rm(maildir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    const env = { ...process.env, MAILPORT_DATA_DIR: server.dataDir };
    let status = await run(process.execPath, [CLI, 'status'], { env });
    for (let i = 0; i < 20 && !/Maildir/.test(status.stdout); i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = await run(process.execPath, [CLI, 'status'], { env });
    }
    expect(status.stdout).toContain(`${USER}: the Maildir ${maildir} does not exist`);
    const log = await run('cat', [join(server.dataDir, 'mailport.log')]);
    expect(log.stdout).toMatch(/"level":50.*Maildir.*does not exist/);
  });
});

describe('folders no client can be shown', () => {
  beforeAll(serve);
  afterAll(stopServer);

  it('are logged once each, with the reason', async () => {
    // Latin-1 bytes (an old procmail recipe) are neither modified UTF-7 nor UTF-8.
    const latin1 = Buffer.concat([
      Buffer.from(maildir + '/.B'),
      Buffer.from([0xfc]),
      Buffer.from('ro2'),
    ]);
    for (const sub of ['cur', 'new', 'tmp'])
      await mkdir(Buffer.concat([latin1, Buffer.from(`/${sub}`)]), { recursive: true });
    // The same name twice: Dovecot's modified UTF-7 beside procmail's UTF-8.
    await makeFolder(join(maildir, '.B&APw-ro'));
    const c = await imap();
    for (let i = 0; i < 3; i++) expect(await tagged(c, 'LIST "" "*"')).toMatch(/^t OK/);
    const log = (await run('cat', [join(server.dataDir, 'mailport.log')])).stdout
      .split('\n')
      .filter((l) => l.includes('folder not served'));
    expect(log, log.join('\n')).toHaveLength(2);
    expect(log.join('\n')).toMatch(/its name is not UTF-8/);
    expect(log.join('\n')).toMatch(
      /"folder":"\.Büro".*reads as \\"Büro\\", like \.B&APw-ro, which is served/,
    );
  });
});
