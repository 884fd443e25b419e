/**
 * IMAP transcripts over real sockets against a running service: every RFC 3501 command and the
 * extensions, checked on the wire and on disk, plus hostile input.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';
import { readCacheFile } from '../../helpers/cache-file.js';

let t: TestService;
const clients: LineClient[] = [];

beforeEach(async () => {
  t = await startService();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t.stop();
});

async function connect(): Promise<LineClient> {
  const c = await LineClient.connect(t.ports.imap);
  clients.push(c);
  expect(await c.line()).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 .*\] Mailport/);
  return c;
}

async function login(): Promise<LineClient> {
  const c = await connect();
  expect((await c.imap('l', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(/^l OK /);
  return c;
}

async function deliver(...bodies: string[]): Promise<void> {
  for (const body of bodies) await t.store.deliver('INBOX', Buffer.from(body));
}

const files = async (folder = '') => {
  const dir = join(t.maildir, folder);
  return [...(await readdir(join(dir, 'cur'))), ...(await readdir(join(dir, 'new')))].sort();
};

describe('IMAP login and state', () => {
  it('announces capabilities and logs in with LOGIN and AUTHENTICATE PLAIN', async () => {
    const c = await connect();
    // Before login, what a login needs (as Dovecot lists it); the rest comes with the login.
    const caps = (await c.imap('a', 'CAPABILITY')).untagged[0]!.split(' ');
    for (const cap of ['IMAP4rev1', 'AUTH=PLAIN', 'SASL-IR', 'LITERAL+', 'IDLE', 'ID', 'ENABLE'])
      expect(caps).toContain(cap);
    expect(caps).not.toContain('UIDPLUS');
    expect((await c.imap('b', 'SELECT INBOX')).tagged).toMatch(/^b BAD .*log in/);
    expect((await c.imap('c', `LOGIN ${t.user} wrong`)).tagged).toBe(
      'c NO [AUTHENTICATIONFAILED] Authentication failed.',
    );
    const token = Buffer.from(`\0${t.user}\0${t.password}`).toString('base64');
    const loggedIn = (await c.imap('d', `AUTHENTICATE PLAIN ${token}`)).tagged;
    expect(loggedIn).toMatch(/^d OK \[CAPABILITY .*\] Logged in/);
    const after = /\[CAPABILITY ([^\]]*)\]/.exec(loggedIn)![1]!.split(' ');
    for (const cap of ['UIDPLUS', 'MOVE', 'NAMESPACE', 'UNSELECT', 'SPECIAL-USE', 'CHILDREN'])
      expect(after).toContain(cap);
    expect(after).toContain('APPENDLIMIT=67108864');
    expect(after).not.toContain('AUTH=PLAIN');
    expect((await c.imap('e', `LOGIN ${t.user} x`)).tagged).toMatch(/^e BAD/);

    const d = await connect();
    d.send('f AUTHENTICATE PLAIN\r\n');
    expect(await d.line()).toBe('+ ');
    d.send(`${token}\r\n`);
    expect((await d.imapUntil('f')).tagged).toMatch(/^f OK/);
    const e = await connect();
    e.send('g AUTHENTICATE PLAIN\r\n');
    await e.line();
    e.send('*\r\n');
    expect((await e.imapUntil('g')).tagged).toMatch(/^g BAD/);
  });

  it('accepts a password sent as a literal', async () => {
    const c = await connect();
    c.send(`a LOGIN ${t.user} {${t.password.length}}\r\n`);
    expect(await c.line()).toMatch(/^\+ /);
    c.send(`${t.password}\r\n`);
    expect((await c.imapUntil('a')).tagged).toMatch(/^a OK/);
  });

  it('creates the special-use mailboxes on first login and lists them with their attributes', async () => {
    const c = await login();
    const { untagged } = await c.imap('a', 'LIST "" "*"');
    expect(untagged).toEqual([
      '* LIST (\\HasNoChildren) "/" INBOX',
      '* LIST (\\HasNoChildren \\Archive) "/" Archive',
      '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
      '* LIST (\\HasNoChildren \\Junk) "/" Junk',
      '* LIST (\\HasNoChildren \\Sent) "/" Sent',
      '* LIST (\\HasNoChildren \\Trash) "/" Trash',
    ]);
    expect((await readdir(t.maildir)).filter((n) => n.startsWith('.')).sort()).toEqual([
      '.Archive',
      '.Drafts',
      '.Junk',
      '.Sent',
      '.Trash',
    ]);
    expect((await c.imap('b', 'LIST "" ""')).untagged).toEqual(['* LIST (\\Noselect) "/" ""']);
    expect((await c.imap('c', 'LIST (SPECIAL-USE) "" "*"')).untagged).toHaveLength(5);
    expect((await c.imap('d', 'NAMESPACE')).untagged).toEqual(['* NAMESPACE (("" "/")) NIL NIL']);
    expect((await c.imap('e', 'ID ("name" "test")')).untagged).toEqual([
      '* ID ("name" "Mailport")',
    ]);
    expect((await c.imap('f', 'ENABLE CONDSTORE')).untagged).toEqual(['* ENABLED CONDSTORE']);
  });
});

describe('IMAP mailboxes', () => {
  it('creates, renames, subscribes and deletes folders on disk', async () => {
    const c = await login();
    expect((await c.imap('a', 'CREATE "Projects/2024"')).tagged).toBe('a OK Create completed.');
    expect((await c.imap('b', 'CREATE Entw&APw-rfe')).tagged).toMatch(/^b OK/);
    expect(await readdir(t.maildir)).toEqual(
      expect.arrayContaining(['.Projects.2024', '.Entw&APw-rfe']),
    );
    expect((await c.imap('c', 'LIST "" "Projects/%"')).untagged).toEqual([
      '* LIST (\\HasNoChildren) "/" Projects/2024',
    ]);
    expect((await c.imap('d', 'LIST "" "%"')).untagged).toContain(
      '* LIST (\\Noselect \\HasChildren) "/" Projects',
    );
    expect((await c.imap('e', 'CREATE "Projects/2024"')).tagged).toMatch(/^e NO \[ALREADYEXISTS\]/);
    expect((await c.imap('f', 'RENAME "Projects/2024" "Done/2024"')).tagged).toMatch(/^f OK/);
    expect(await readdir(t.maildir)).toContain('.Done.2024');
    expect((await c.imap('g', 'SUBSCRIBE "Done/2024"')).tagged).toMatch(/^g OK/);
    expect((await c.imap('h', 'LSUB "" "*"')).untagged).toEqual(['* LSUB () "/" Done/2024']);
    // RFC 3501 §6.3.9: "%" reaches the unsubscribed parent, flagged \Noselect, not the child.
    expect((await c.imap('h', 'LSUB "" "%"')).untagged).toEqual(['* LSUB (\\Noselect) "/" Done']);
    expect(await readFile(join(t.maildir, 'subscriptions'), 'utf8')).toBe('V\t2\n\nDone\t2024\n');
    expect((await c.imap('i', 'DELETE "Done/2024"')).tagged).toMatch(/^i OK/);
    expect(await readdir(t.maildir)).not.toContain('.Done.2024');
    expect((await c.imap('j', 'DELETE INBOX')).tagged).toMatch(/^j NO/);
    expect((await c.imap('k', 'SELECT Nope')).tagged).toMatch(/^k NO \[NONEXISTENT\]/);
  });

  it('refuses names that would escape the Maildir or are not valid modified UTF-7', async () => {
    const c = await login();
    for (const [tag, name] of [
      ['a', '"../../etc"'],
      ['b', '"a/../../b"'],
      ['c', '"&Jjo"'],
      ['d', '"x.y"'],
      ['e', '"/abs"'],
      ['f', '"&AGE-"'],
    ]) {
      expect((await c.imap(tag!, `CREATE ${name}`)).tagged).toMatch(
        new RegExp(`^${tag} (NO|BAD) `),
      );
    }
    expect(
      (await readdir(t.maildir)).filter(
        (n) => n.startsWith('.') && n.length > 1 && !/^\.(Archive|Drafts|Junk|Sent|Trash)$/.test(n),
      ),
    ).toEqual([]);
  });

  it('renames INBOX by moving its messages (RFC 3501 §6.3.5)', async () => {
    await deliver('Subject: a\n\nx\n', 'Subject: b\n\ny\n');
    const c = await login();
    expect((await c.imap('a', 'RENAME INBOX Old')).tagged).toMatch(/^a OK/);
    expect(await files()).toEqual([]);
    expect(await files('.Old')).toHaveLength(2);
    const s = (await c.imap('b', 'STATUS Old (MESSAGES UIDNEXT UNSEEN)')).untagged[0];
    expect(s).toMatch(/^\* STATUS Old \(MESSAGES 2 UIDNEXT \d+ UNSEEN 2\)$/);
  });
});

describe('IMAP messages', () => {
  it('SELECT reports the mailbox and the UIDVALIDITY of dovecot-uidlist', async () => {
    await deliver('Subject: a\n\nx\n', 'Subject: b\n\ny\n');
    const c = await login();
    const { untagged, tagged } = await c.imap('a', 'SELECT INBOX');
    const uidlist = await readFile(join(t.maildir, 'dovecot-uidlist'), 'utf8');
    const validity = /^3 V(\d+)/.exec(uidlist)![1];
    expect(untagged).toEqual([
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.',
      '* 2 EXISTS',
      '* 2 RECENT',
      '* OK [UNSEEN 1] First unseen.',
      `* OK [UIDVALIDITY ${validity}] UIDs valid`,
      '* OK [UIDNEXT 3] Predicted next UID',
    ]);
    expect(tagged).toBe('a OK [READ-WRITE] Select completed.');
    const again = await login();
    expect((await again.imap('b', 'EXAMINE INBOX')).untagged).toContain('* 0 RECENT');
  });

  it('FETCH returns the file with CRLF; BODY[] sets \\Seen, BODY.PEEK does not', async () => {
    await deliver('Subject: hello\nFrom: a@b.c\n\nline 1\nline 2\n');
    const c = await login();
    await c.imap('s', 'SELECT INBOX');
    const wire = 'Subject: hello\r\nFrom: a@b.c\r\n\r\nline 1\r\nline 2\r\n';
    let r = await c.imap('a', 'FETCH 1 (UID RFC822.SIZE BODY.PEEK[])');
    expect(r.untagged).toEqual([
      `* 1 FETCH (UID 1 RFC822.SIZE ${wire.length} BODY[] {${wire.length}}\r\n${wire})`,
    ]);
    expect(await files()).toEqual([expect.stringMatching(/:2,$/)]);
    r = await c.imap('b', 'FETCH 1 BODY[]<9.5>');
    expect(r.untagged).toEqual(['* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[]<9> {5}\r\nhello)']);
    expect(await files()).toEqual([expect.stringMatching(/:2,S$/)]);
    r = await c.imap('c', 'UID FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[TEXT] RFC822.HEADER)');
    const header = 'Subject: hello\r\nFrom: a@b.c\r\n\r\n';
    expect(r.untagged).toEqual([
      `* 1 FETCH (UID 1 BODY[HEADER] {${header.length}}\r\n${header} BODY[TEXT] {16}\r\nline 1\r\nline 2\r\n RFC822.HEADER {${header.length}}\r\n${header})`,
    ]);
    r = await c.imap('d', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    expect(r.untagged).toEqual([
      '* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: hello\r\n\r\n)',
    ]);
    r = await c.imap('e', 'FETCH 2 FLAGS');
    expect(r.tagged).toMatch(/^e OK/);
    expect(r.untagged).toEqual([]);
  });

  it('keeps ENVELOPE and BODYSTRUCTURE in the metadata cache after the first FETCH', async () => {
    await deliver('Subject: cached\nFrom: a@b.c\n\nbody\n');
    const [delivered] = await readdir(join(t.maildir, 'new'));
    await utimes(join(t.maildir, 'new', delivered!), 1_700_000_000, 1_700_000_000); // whole seconds
    const c = await login();
    await c.imap('s', 'SELECT INBOX');
    const first = await c.imap('a', 'FETCH 1 (ENVELOPE BODYSTRUCTURE)');
    await c.imap('b', 'LOGOUT');
    // The cache is written a moment later (or when the folder closes), not during the command.
    await expect
      .poll(
        async () => {
          const [facts] = (await readCacheFile(join(t.maildir, 'mailport.cache'))).values();
          return Object.keys(facts?.extra ?? {}).sort();
        },
        { timeout: 10_000, interval: 100 },
      )
      .toEqual(['body/1', 'bodystructure/1', 'envelope/1']); // one parse gives all three
    // Proof that a second session does not parse again: change the file's bytes but not its
    // size or mtime (the cache's key) and the cached ENVELOPE still answers.
    const [name] = await files();
    const path = join(t.maildir, 'cur', name!);
    const info = await stat(path);
    await writeFile(path, (await readFile(path, 'utf8')).replace('cached', 'CHANGE'));
    await utimes(path, info.atime, info.mtime);
    const again = await login();
    await again.imap('s', 'SELECT INBOX');
    expect((await again.imap('a', 'FETCH 1 (ENVELOPE BODYSTRUCTURE)')).untagged).toEqual(
      first.untagged,
    );
  });

  it('STORE changes flags in file names and other sessions see them', async () => {
    await deliver('Subject: a\n\nx\n');
    const a = await login();
    const b = await login();
    await a.imap('s', 'SELECT INBOX');
    await b.imap('s', 'SELECT INBOX');
    expect((await a.imap('a', 'STORE 1 +FLAGS (\\Flagged $Work)')).untagged).toEqual([
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted.',
      '* 1 FETCH (FLAGS (\\Flagged \\Recent $Work))',
    ]);
    expect(await files()).toEqual([expect.stringMatching(/:2,Fa$/)]);
    expect(await readFile(join(t.maildir, 'dovecot-keywords'), 'utf8')).toBe('0 $Work\n');
    expect((await a.imap('b', 'UID STORE 1 -FLAGS.SILENT (\\Flagged)')).untagged).toEqual([]);
    expect((await a.imap('c', 'STORE 1 FLAGS (\\Bogus)')).tagged).toMatch(/^c BAD/);
    expect((await b.imap('n', 'NOOP')).untagged).toEqual([
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted.',
      '* 1 FETCH (FLAGS ($Work))',
    ]);
  });

  it('APPEND stores a message with its flags and date, and answers APPENDUID', async () => {
    const c = await login();
    const msg = 'Subject: appended\r\n\r\nbody\r\n';
    c.send(`a APPEND Drafts (\\Draft \\Seen) "14-Jul-2020 10:00:00 +0200" {${msg.length}}\r\n`);
    expect(await c.line()).toMatch(/^\+ /);
    c.send(`${msg}\r\n`);
    const { tagged } = await c.imapUntil('a');
    expect(tagged).toMatch(/^a OK \[APPENDUID \d+ 1\] Append completed\.$/);
    const [name] = await files('.Drafts');
    expect(name).toMatch(/:2,DS$/);
    // In new/, flags in the name: \Recent for the next session (RFC 3501 §6.3.11).
    const info = await stat(join(t.maildir, '.Drafts', 'new', name!));
    expect(info.mtime.toISOString()).toBe('2020-07-14T08:00:00.000Z');
    expect(await readFile(join(t.maildir, '.Drafts', 'new', name!), 'utf8')).toBe(msg);
    expect((await c.imap('b', `APPEND Nowhere {1+}\r\nx`)).tagged).toMatch(/^b NO \[TRYCREATE\]/);
  });

  it('COPY, MOVE and EXPUNGE act on the files and report COPYUID and EXPUNGE', async () => {
    await deliver('Subject: 1\n\n1\n', 'Subject: 2\n\n2\n', 'Subject: 3\n\n3\n');
    const c = await login();
    await c.imap('s', 'SELECT INBOX');
    expect((await c.imap('a', 'COPY 1:2 Archive')).tagged).toMatch(
      /^a OK \[COPYUID \d+ 1:2 1:2\] Copy completed\.$/,
    );
    expect(await files('.Archive')).toHaveLength(2);
    const moved = await c.imap('b', 'UID MOVE 2 Trash');
    expect(moved.untagged).toEqual([
      expect.stringMatching(/^\* OK \[COPYUID \d+ 2 1\]/),
      '* 2 EXPUNGE',
    ]);
    expect(await files('.Trash')).toHaveLength(1);
    expect(await files()).toHaveLength(2);
    await c.imap('c', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    expect((await c.imap('d', 'EXPUNGE')).untagged).toEqual(['* 1 EXPUNGE']);
    const rest = await files();
    expect(rest).toHaveLength(1);
    expect(await readFile(join(t.maildir, 'cur', rest[0]!), 'utf8')).toContain('Subject: 3');
    expect((await c.imap('e', 'COPY 1 Nowhere')).tagged).toMatch(/^e NO \[TRYCREATE\]/);
  });

  it('tells a session about changes by others at the points RFC 3501 allows', async () => {
    await deliver('Subject: 1\n\n1\n', 'Subject: 2\n\n2\n');
    const a = await login();
    const b = await login();
    await a.imap('s', 'SELECT INBOX');
    await b.imap('s', 'SELECT INBOX');
    await a.imap('a', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await a.imap('b', 'EXPUNGE');
    await deliver('Subject: 3\n\n3\n');
    // FETCH may not carry EXPUNGE (RFC 3501 §7.4.1)…
    const during = await b.imap('f', 'FETCH 2 (FLAGS)');
    expect(during.untagged.some((l) => l.includes('EXPUNGE'))).toBe(false);
    expect(during.untagged).toContain('* 3 EXISTS');
    // …NOOP does.
    const after = await b.imap('n', 'NOOP');
    expect(after.untagged).toContain('* 1 EXPUNGE');
    expect((await b.imap('u', 'UID SEARCH ALL')).untagged).toEqual(['* SEARCH 2 3']);
  });

  it('pushes a delivery to an IDLE client within a second', async () => {
    const c = await login();
    await c.imap('s', 'SELECT INBOX');
    c.send('i IDLE\r\n');
    expect(await c.line()).toBe('+ idling');
    const started = Date.now();
    await deliver('Subject: pushed\n\nx\n');
    expect(await c.line(1500)).toBe('* 1 EXISTS');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await c.line()).toBe('* 1 RECENT');
    c.send('DONE\r\n');
    expect((await c.imapUntil('i')).tagged).toBe('i OK Idle completed.');
  });

  it('STATUS counts without taking \\Recent', async () => {
    await deliver('Subject: 1\n\n1\n', 'Subject: 2\n\n2\n');
    const c = await login();
    const { untagged } = await c.imap(
      'a',
      'STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)',
    );
    expect(untagged[0]).toMatch(
      /^\* STATUS INBOX \(MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY \d+ UNSEEN 2\)$/,
    );
    expect((await c.imap('b', 'SELECT INBOX')).untagged).toContain('* 2 RECENT');
  });

  it('CLOSE expunges silently; UNSELECT does not', async () => {
    await deliver('Subject: 1\n\n1\n', 'Subject: 2\n\n2\n');
    const c = await login();
    await c.imap('s', 'SELECT INBOX');
    await c.imap('a', 'STORE 1:2 +FLAGS.SILENT (\\Deleted)');
    expect((await c.imap('b', 'UNSELECT')).untagged).toEqual([]);
    expect(await files()).toHaveLength(2);
    await c.imap('t', 'SELECT INBOX');
    expect((await c.imap('c', 'CLOSE')).untagged).toEqual([]);
    expect(await files()).toHaveLength(0);
    expect((await c.imap('d', 'FETCH 1 FLAGS')).tagged).toMatch(/^d BAD/);
  });
});

describe('IMAP hostile input', () => {
  it('answers malformed commands with BAD and goes on', async () => {
    const c = await connect();
    expect((await c.imap('a', 'FROB')).tagged).toBe('a BAD Unknown command FROB');
    c.send('\r\n');
    expect(await c.line()).toMatch(/^\* BAD /);
    expect((await c.imap('b', 'LOGIN "unterminated')).tagged).toMatch(/^b BAD .*Unterminated/);
    c.send(Buffer.from([0x63, 0x20, 0xff, 0xfe, 0x0d, 0x0a]));
    expect(await c.line()).toMatch(/^c BAD /);
    expect((await c.imap('d', `NOOP ${'x'.repeat(70_000)}`)).tagged).toMatch(
      /^d BAD Line too long/,
    );
    c.send('e LOGIN {5000000}\r\n');
    expect(await c.line()).toMatch(/^e BAD Literal too large/);
    expect((await c.imap('f', 'NOOP')).tagged).toBe('f OK NOOP completed.');
    const d = await login();
    await d.imap('s', 'SELECT INBOX');
    for (const [tag, cmd] of [
      ['g', 'FETCH 0 FLAGS'],
      ['h', 'FETCH 1:x FLAGS'],
      ['i', 'FETCH 1 (BODY[9.MIME)'],
      ['j', 'STORE 1 +FLAGZ (\\Seen)'],
      ['k', 'SEARCH FROBNICATE'],
      ['l', 'SEARCH CHARSET X-UNKNOWN ALL'],
    ]) {
      expect((await d.imap(tag!, cmd!)).tagged).toMatch(new RegExp(`^${tag} (BAD|NO) `));
    }
    expect((await d.imap('m', 'NOOP')).tagged).toMatch(/^m OK/);
  });

  it('says BYE after too many bad commands and keeps serving others', async () => {
    const c = await connect();
    c.send('x FROB\r\n'.repeat(25));
    const lines = await c.until(/^\* BYE/);
    expect(lines.filter((l) => l.startsWith('x BAD')).length).toBeGreaterThanOrEqual(19);
    await c.closedByServer();
    const d = await login();
    expect((await d.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
  });

  it('leaves no partial message when a client vanishes mid-APPEND', async () => {
    const c = await login();
    c.send('a APPEND INBOX {100000+}\r\n' + 'x'.repeat(50_000));
    await new Promise((r) => setTimeout(r, 200));
    c.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(await files()).toEqual([]);
    expect(await readdir(join(t.maildir, 'tmp'))).toEqual([]);
    const d = await login();
    expect((await d.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
  });
});

describe('IMAP login policy', () => {
  it('advertises LOGINDISABLED and refuses credentials in cleartext under "secure"', async () => {
    await t.stop();
    t = await startService((s) => (s.security.loginPolicy = 'secure'));
    const c = await connect();
    const caps = (await c.imap('a', 'CAPABILITY')).untagged[0]!;
    expect(caps).toContain('LOGINDISABLED');
    expect(caps).not.toContain('AUTH=PLAIN');
    expect((await c.imap('b', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(
      /^b NO \[PRIVACYREQUIRED\]/,
    );
    const token = Buffer.from(`\0${t.user}\0${t.password}`).toString('base64');
    expect((await c.imap('c', `AUTHENTICATE PLAIN ${token}`)).tagged).toMatch(
      /^c NO \[PRIVACYREQUIRED\]/,
    );
  });
});
