/**
 * NeoMutt (20220429, GnuTLS) in tmux (3.3a) against a live `mailport serve` over IMAPS, with
 * the local CA as its only trust anchor and TLS forced: open the mailbox, read a message, flag
 * it, save it to another folder, sync, quit. Then the Maildir on disk must show the message
 * in the other folder with the \Seen and \Flagged flags (`:2,FS`) and gone from INBOX.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaildirStore } from '../../src-main/core/store/maildir/maildir-store.js';
import { serveSecurely, type SecureMailport } from '../helpers/secure-serve.js';
import { TmuxScreen } from '../helpers/tmux.js';

const USER = 'mutt';
const PASSWORD = 'mutt password';
let work: string;
let mp: SecureMailport;
let screen: TmuxScreen | undefined;

const maildir = () => join(work, 'Maildir');
/** `imap_deflate` exists only in a NeoMutt built with zlib (Debian's 20220429 is not). */
const hasDeflate = ((): boolean => {
  try {
    execFileSync('neomutt', ['-n', '-F', '/dev/null', '-Q', 'imap_deflate'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const MESSAGES = [
  [
    'Bob <bob@example.net>',
    'Quarterly numbers',
    'Mon, 1 Jan 2024 09:00:00 +0000',
    'See the sheet.',
  ],
  [
    'Alice <alice@example.org>',
    'Lunch on Friday',
    'Tue, 2 Jan 2024 10:00:00 +0000',
    'Shall we meet at noon?',
  ],
  [
    'Carol <carol@example.org>',
    'Holiday photos',
    'Wed, 3 Jan 2024 11:00:00 +0000',
    'Attached, sort of.',
  ],
] as const;

async function files(folder: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const sub of ['cur', 'new'])
    for (const name of await readdir(join(folder, sub)))
      out.set(`${sub}/${name}`, await readFile(join(folder, sub, name), 'utf8'));
  return out;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-neomutt-'));
  const store = new MaildirStore(maildir());
  await store.ensure();
  for (const [from, subject, date, body] of MESSAGES)
    await store.deliver(
      'INBOX',
      Buffer.from(
        `From: ${from}\nTo: mutt@example.org\nSubject: ${subject}\nDate: ${date}\n\n${body}\n`,
      ),
    );
  mp = await serveSecurely([{ user: USER, password: PASSWORD, maildir: maildir() }], (s) => {
    s.listeners.imaps.protocolLog = true;
  });
});

afterAll(async () => {
  await screen?.kill();
  await mp?.stop();
  await rm(work, { recursive: true, force: true });
});

/** The muttrc of these tests in `home`, with `extra` lines; returns its path. */
async function writeMuttrc(home: string, extra: readonly string[] = []): Promise<string> {
  const muttrc = join(home, 'muttrc');
  // GnuTLS build: ssl_ca_certificates_file is the trust anchor; certificate_file would hold
  // certificates the user accepted by hand, and stays empty (nothing is ever prompted).
  await writeFile(
    muttrc,
    [
      // neomutt checks DNS names only, so it connects to `localhost`.
      `set folder = "imaps://${USER}@localhost:${mp.ports.imaps}/"`,
      'set spoolfile = "+INBOX"',
      `set imap_user = "${USER}"`,
      `set imap_pass = "${PASSWORD}"`,
      `set ssl_ca_certificates_file = "${mp.caFile}"`,
      `set certificate_file = "${join(home, 'certificates')}"`,
      'set ssl_force_tls = yes',
      'set ssl_verify_host = yes',
      'set header_cache = ""',
      'set message_cachedir = ""',
      'set sort = date',
      'set arrow_cursor = yes', // the cursor is "->", visible in a text capture
      'set resolve = no', // the cursor stays on a message after flagging it
      'set confirmappend = no',
      'set delete = yes',
      'set quit = yes',
      'set move = no',
      'set wait_key = no',
      'set mail_check_stats = no',
      ...extra,
      '',
    ].join('\n'),
  );
  return muttrc;
}

describe('neomutt in tmux over IMAPS', () => {
  it('reads a message, flags it and moves it to Archive', async () => {
    const home = join(work, 'home');
    await mkdir(home);
    const muttrc = await writeMuttrc(home);
    screen = await TmuxScreen.start(
      `neomutt -n -F '${muttrc}'; echo "neomutt exited with $?"; sleep 600`,
      { ...process.env, HOME: home, TERM: 'xterm' },
    );
    const lunch = /->.*Lunch on Friday/;
    await screen.waitFor(/NeoMutt: \+INBOX \[Msgs:3 New:3/);
    await screen.type('/Lunch');
    await screen.keys('Enter');
    await screen.waitFor(lunch);

    await screen.keys('Enter'); // read it in the pager
    await screen.waitFor(/Shall we meet at noon\?/);
    await screen.keys('q');
    await screen.waitFor(/NeoMutt: \+INBOX \[Msgs:3 New:2/);

    await screen.keys('F');
    await screen.waitFor(/->\s+\d+\s+!.*Lunch on Friday/);

    await screen.keys('s');
    await screen.waitFor(/Save to mailbox/);
    await screen.keys('C-u');
    await screen.type('=Archive');
    await screen.keys('Enter');
    await screen.waitFor(/->\s+\d+\s+D!.*Lunch on Friday/);

    await screen.keys('$'); // sync: expunge the saved original
    await screen.waitFor(/NeoMutt: \+INBOX \[Msgs:2 /);
    expect(await screen.text()).not.toContain('Lunch on Friday');
    await screen.keys('q');
    await screen.waitFor(/neomutt exited with 0/);
    expect(await readFile(join(home, 'certificates'), 'utf8').catch(() => '')).toBe('');

    const inbox = await files(maildir());
    expect([...inbox.values()].map((t) => /Subject: (.*)/.exec(t)![1]).sort()).toEqual([
      'Holiday photos',
      'Quarterly numbers',
    ]);
    const archive = [...(await files(join(maildir(), '.Archive')))];
    expect(archive).toHaveLength(1);
    const [name, text] = archive[0]!;
    // Moved (COPY) messages go into new/ with their flags, so they are \Recent for the next
    // session that selects Archive (RFC 3501 §6.4.7); that session moves them to cur/.
    expect(name).toMatch(/^(new|cur)\/.*:2,FS$/);
    expect(text.replace(/\r\n/g, '\n')).toBe(
      'From: Alice <alice@example.org>\nTo: mutt@example.org\nSubject: Lunch on Friday\n' +
        'Date: Tue, 2 Jan 2024 10:00:00 +0000\n\nShall we meet at noon?\n',
    );
  });

  // COMPRESS=DEFLATE (RFC 4978) as NeoMutt turns it on: `imap_deflate`.
  it.skipIf(!hasDeflate)('reads a message over COMPRESS=DEFLATE (imap_deflate)', async () => {
    await screen?.kill();
    const home = join(work, 'home-deflate');
    await mkdir(home);
    const muttrc = await writeMuttrc(home, ['set imap_deflate = yes']);
    const logFile = join(mp.server.dataDir, 'logs', 'imaps.log');
    const logBefore = (await readFile(logFile, 'utf8').catch(() => '')).length;
    screen = await TmuxScreen.start(
      `neomutt -n -F '${muttrc}'; echo "neomutt exited with $?"; sleep 600`,
      { ...process.env, HOME: home, TERM: 'xterm' },
    );
    await screen.waitFor(/NeoMutt: \+INBOX \[Msgs:\d+/);
    await screen.type('/Holiday');
    await screen.keys('Enter');
    await screen.waitFor(/->.*Holiday photos/);
    await screen.keys('Enter');
    await screen.waitFor(/Attached, sort of\./);
    await screen.keys('q');
    await screen.keys('q');
    await screen.waitFor(/neomutt exited with 0/);
    const log = (await readFile(logFile, 'utf8')).slice(logBefore);
    expect(log).toMatch(/C: \S+ COMPRESS DEFLATE/);
    expect(log).toMatch(/S: \S+ OK Begin compression\./);
    // Read after the switch: the FETCH of the message came through the inflater.
    expect(log.slice(log.search(/OK Begin compression/))).toMatch(/C: \S+ .*FETCH/);
  });
});
