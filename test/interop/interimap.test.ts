/**
 * interimap (Debian's 0.5.7) synchronises two IMAP servers through QRESYNC (RFC 7162 §3.2)
 * and keeps the UID mapping in its own SQLite database. Each pairing below starts both
 * servers on loopback with their own Maildirs: Mailport over IMAPS (its default login policy,
 * the certificate verified against the data dir's CA) and Dovecot over plain IMAP, first
 * Dovecot with Dovecot (the reference: proves the harness), then Mailport as the local and
 * Dovecot as the remote server, then the other way round.
 *
 * The checks never trust interimap: a plain IMAP client (imapflow) reads every folder of
 * both servers, and each must serve exactly the expected messages (the bytes, by digest),
 * flags and keywords. A first run copies a corpus from each side to the other; then both
 * sides change (flags and keywords set and cleared, messages appended, delivered into the
 * Maildir and expunged, a folder created) and a second run must carry every change across;
 * a third run with nothing to do must say nothing and change no UID, mod-sequence or file.
 * Then files are deleted, renamed and delivered while Mailport is stopped (what it must
 * report as VANISHED and changed FLAGS when it starts), and a restart alone changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { generateMessages, wireBytes } from '../helpers/corpus.js';
import { hasDovecot, startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { run } from '../helpers/run.js';
import { serveSecurely, type SecureMailport } from '../helpers/secure-serve.js';

const USER = 'syncer';
const PASSWORD = 'correct horse battery';
const INTERIMAP = '/usr/bin/interimap';
/** Generated messages each side starts with, besides the hand-written ones. */
const CORPUS_MESSAGES = 25;

/** One IMAP server of a pairing, as interimap and the checking client reach it. */
interface Side {
  readonly label: string;
  /** The Maildir it serves. */
  readonly maildir: string;
  /** Lines of interimap's `[local]` or `[remote]` section. */
  readonly section: readonly string[];
  readonly client: () => ImapFlowOptions;
  /** Gives files written into the Maildir to the user the server runs as. */
  handOver(): void;
  /** Runs `work` on the Maildir with Mailport stopped (Dovecot keeps running: no difference). */
  offline(work: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

type ServerKind = 'mailport' | 'dovecot';

async function startSide(kind: ServerKind, maildir: string): Promise<Side> {
  await mkdir(maildir, { recursive: true });
  if (kind === 'dovecot') {
    const dovecot: DovecotServer = await startDovecot(maildir, { index: 'disk' });
    return {
      label: 'Dovecot',
      maildir,
      section: [
        'type = imap',
        'host = 127.0.0.1',
        `port = ${dovecot.imapPort}`,
        'STARTTLS = NO',
        `username = ${dovecot.user}`,
        `password = ${dovecot.password}`,
      ],
      client: () => ({
        host: '127.0.0.1',
        port: dovecot.imapPort,
        secure: false,
        doSTARTTLS: false,
        auth: { user: dovecot.user, pass: dovecot.password },
        logger: false,
      }),
      handOver: () => dovecot.handOver(),
      offline: async (work) => {
        await work();
        dovecot.handOver();
      },
      stop: () => dovecot.stop(),
    };
  }
  const mp: SecureMailport = await serveSecurely([{ user: USER, password: PASSWORD, maildir }]);
  const ca = await readFile(mp.caFile, 'utf8');
  return {
    label: 'Mailport',
    maildir,
    // interimap matches the certificate's DNS names; the leaf names `localhost`.
    section: [
      'type = imaps',
      'host = localhost',
      `port = ${mp.ports.imaps}`,
      `SSL_CAfile = ${mp.caFile}`,
      `username = ${USER}`,
      `password = ${PASSWORD}`,
    ],
    client: () => ({
      host: '127.0.0.1',
      port: mp.ports.imaps,
      secure: true,
      tls: { ca: [ca] },
      auth: { user: USER, pass: PASSWORD },
      logger: false,
    }),
    handOver: () => undefined,
    offline: (work) => mp.restart(work),
    stop: () => mp.stop(),
  };
}

/** What a folder must hold: subject → flags and keywords (sorted), and the message's digest. */
type Expected = Map<string, Map<string, { flags: string[]; digest: string }>>;

const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

let counter = 0;
/** A small message; `subject` names it in the checks. Bare LF: servers send CRLF. */
function message(subject: string): Buffer {
  counter++;
  return Buffer.from(
    [
      `From: Alice <alice@example.org>`,
      `To: me@example.com`,
      `Subject: ${subject}`,
      `Date: Mon, 2 Nov 2026 10:${String(counter % 60).padStart(2, '0')}:00 +0000`,
      `Message-ID: <${subject.replace(/\W/g, '')}.${counter}@example.org>`,
      '',
      `${subject} body, line one`,
      `.a line with a leading dot`,
      '',
    ].join('\n'),
  );
}

async function withClient<T>(side: Side, work: (c: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow(side.client());
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout();
  }
}

/** Appends `subject` to `folder` on `side` and records it in `expected`. */
async function append(
  c: ImapFlow,
  expected: Expected,
  folder: string,
  subject: string,
  flags: string[],
  bytes = message(subject),
): Promise<void> {
  const result = await c.append(folder, bytes, flags);
  expect(result, `APPEND ${subject} to ${folder}`).toBeTruthy();
  if (!expected.has(folder)) expected.set(folder, new Map());
  expected
    .get(folder)!
    .set(subject, { flags: [...flags].sort(), digest: digest(wireBytes(bytes)) });
}

/**
 * Varied everyday mail from the test corpus (multipart, base64, 8-bit, dot lines, LF and CRLF
 * files, some without a final line end), with the flags its file name carries.
 */
async function appendCorpus(c: ImapFlow, expected: Expected, folder: string, seed: number) {
  const letters: Record<string, string> = { F: '\\Flagged', R: '\\Answered', S: '\\Seen' };
  for (const m of generateMessages({ count: CORPUS_MESSAGES, seed, largeShare: 0 })) {
    const subject = /^Subject: (.*?)\r?$/m.exec(m.bytes.toString('latin1'))![1]!;
    const flags = [...(m.fileName.split(':2,')[1] ?? '')].map((l) => letters[l]!);
    await append(c, expected, folder, subject, flags, m.bytes);
  }
}

/** Flags and keywords, sorted, without \Recent (which belongs to a session, RFC 3501 §2.3.2). */
const lasting = (flags: Set<string> | undefined): string[] =>
  [...(flags ?? [])].filter((f) => f !== '\\Recent').sort();

/** A folder's directory in a Maildir++ layout (`Archive/2024` → `.Archive.2024`). */
const folderDir = (side: Side, folder: string): string =>
  folder === 'INBOX' ? side.maildir : join(side.maildir, `.${folder.replace(/\//g, '.')}`);

/** Delivers as an MDA does, behind the server's back: tmp/, then renamed into new/. */
async function deliverOnDisk(side: Side, expected: Expected, folder: string, subject: string) {
  const bytes = message(subject);
  const name = `${Date.now()}.M${counter}P${process.pid}.interop`;
  await writeFile(join(folderDir(side, folder), 'tmp', name), bytes);
  await rename(
    join(folderDir(side, folder), 'tmp', name),
    join(folderDir(side, folder), 'new', name),
  );
  side.handOver();
  expected.get(folder)!.set(subject, { flags: [], digest: digest(wireBytes(bytes)) });
}

/** The path of a message's file (in cur/ or new/), found by its Subject. */
async function fileOf(side: Side, folder: string, subject: string): Promise<string> {
  for (const sub of ['cur', 'new']) {
    const dir = join(folderDir(side, folder), sub);
    for (const name of await readdir(dir)) {
      const text = await readFile(join(dir, name), 'latin1');
      if (/^Subject: (.*?)\r?$/m.exec(text)?.[1] === subject) return join(dir, name);
    }
  }
  throw new Error(`${side.label}: no file of "${subject}" in ${folder}`);
}

/** Adds a flag letter to a message's file name (moving it to cur/), as a mail program would. */
async function flagOnDisk(side: Side, folder: string, subject: string, letter: string) {
  const path = await fileOf(side, folder, subject);
  const [base, letters = ''] = basename(path).split(':2,') as [string, string?];
  const name = `${base}:2,${[...letters, letter].sort().join('')}`;
  await rename(path, join(folderDir(side, folder), 'cur', name));
}

/** What a plain client sees on one server: folder → subject → flags and digest. */
async function observe(side: Side): Promise<Expected> {
  return withClient(side, async (c) => {
    const seen: Expected = new Map();
    for (const box of await c.list()) {
      if (box.flags.has('\\Noselect') || box.flags.has('\\NonExistent')) continue;
      const folder = box.path;
      const messages = new Map<string, { flags: string[]; digest: string }>();
      seen.set(folder, messages);
      const lock = await c.getMailboxLock(folder, { readOnly: true }); // EXAMINE: looks only
      try {
        if ((c.mailbox && c.mailbox.exists) === 0) continue;
        for await (const m of c.fetch('1:*', { uid: true, flags: true, source: true })) {
          const subject = /^Subject: (.*)$/m.exec(m.source!.toString('latin1'))![1]!.trim();
          expect(messages.has(subject), `${side.label} ${folder}: "${subject}" twice`).toBe(false);
          messages.set(subject, { flags: lasting(m.flags), digest: digest(m.source!) });
        }
      } finally {
        lock.release();
      }
    }
    return seen;
  });
}

/** Every selectable folder's UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and each UID's MODSEQ. */
async function syncState(side: Side): Promise<Record<string, unknown>> {
  return withClient(side, async (c) => {
    const state: Record<string, unknown> = {};
    for (const box of await c.list()) {
      if (box.flags.has('\\Noselect')) continue;
      const lock = await c.getMailboxLock(box.path, { readOnly: true });
      try {
        const mailbox = c.mailbox || undefined;
        const uids: string[] = [];
        if (mailbox && mailbox.exists > 0)
          for await (const m of c.fetch('1:*', { uid: true, flags: true })) {
            // imapflow enables CONDSTORE, so every FETCH carries MODSEQ (RFC 7162 §3.1.4)
            expect(m.modseq, `${side.label} ${box.path} UID ${m.uid}`).toBeTypeOf('bigint');
            uids.push(`${m.uid}:${String(m.modseq)}:${lasting(m.flags).join(' ')}`);
          }
        state[box.path] = {
          uidValidity: String(mailbox?.uidValidity),
          uidNext: mailbox?.uidNext,
          highestModseq: String(mailbox?.highestModseq),
          uids,
        };
      } finally {
        lock.release();
      }
    }
    return state;
  });
}

/** Every file name under a Maildir (messages, uidlists and keyword files). */
async function files(maildir: string): Promise<string[]> {
  const entries = await readdir(maildir, { recursive: true, withFileTypes: true });
  return (
    entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(maildir.length))
      // Caches (Dovecot's indexes, Mailport's mailport.cache: written a few seconds after what
      // they learned, so at any moment) and files mid-write are not mail state.
      .filter(
        (name) => !/dovecot\.index|dovecot\.list\.index|\.lock$|mailport\.cache|\.tmp$/.test(name),
      )
      .sort()
  );
}

const sortedView = (view: Expected): Record<string, Record<string, unknown>> =>
  Object.fromEntries(
    [...view.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([folder, messages]) => [
        folder,
        Object.fromEntries([...messages.entries()].sort(([a], [b]) => a.localeCompare(b))),
      ]),
  );

/** What interimap says (without --debug too) when it changes something. */
const CHANGE_MESSAGES =
  /Added \d+ UID|Removed \d+ UID|Updated flags|Created mailbox|Deleted mailbox/;

/** The distinct IMAP commands interimap sent (its --debug log has them as `C: <tag> <verb>`). */
function commandsSent(log: string): string[] {
  const verbs = new Set<string>();
  for (const m of log.matchAll(/^\S+: C: \S+ (UID \w+|\w+)/gm)) verbs.add(m[1]!);
  return [...verbs].sort();
}

const PAIRINGS: readonly (readonly [ServerKind, ServerKind])[] = [
  ['dovecot', 'dovecot'],
  ['mailport', 'dovecot'],
  ['dovecot', 'mailport'],
];

describe.skipIf(!hasDovecot)('interimap', () => {
  describe.each(PAIRINGS)('local %s, remote %s', (localKind, remoteKind) => {
    let work: string;
    let local: Side;
    let remote: Side;
    const expected: Expected = new Map();

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'mailport-interimap-'));
      await chmod(work, 0o755); // Dovecot serves its Maildir as an unprivileged user
      local = await startSide(localKind, join(work, 'local'));
      remote = await startSide(remoteKind, join(work, 'remote'));
      await writeFile(
        join(work, 'config'),
        [
          `database = ${join(work, 'interimap.db')}`,
          '',
          '[local]',
          ...local.section,
          '',
          '[remote]',
          ...remote.section,
          '',
        ].join('\n'),
      );
    });

    afterAll(async () => {
      await local?.stop();
      await remote?.stop();
      await rm(work, { recursive: true, force: true });
    });

    async function interimap(): Promise<string> {
      const result = await run(INTERIMAP, ['--debug', `--config=${join(work, 'config')}`], {
        env: { ...process.env, HOME: work, XDG_CONFIG_HOME: work, XDG_DATA_HOME: work },
      });
      expect(result.code, result.stderr + result.stdout).toBe(0);
      return result.stderr + result.stdout;
    }

    /**
     * Both servers hold exactly the expected messages, and the same folders: those of the
     * corpus and any a server creates by itself (Mailport's special-use folders), empty.
     */
    async function expectBothAsExpected(): Promise<void> {
      const seen = [await observe(local), await observe(remote)];
      const want = new Map(expected);
      for (const view of seen)
        for (const folder of view.keys()) if (!want.has(folder)) want.set(folder, new Map());
      expect(sortedView(seen[0]!), `${local.label} (local)`).toEqual(sortedView(want));
      expect(sortedView(seen[1]!), `${remote.label} (remote)`).toEqual(sortedView(want));
    }

    it('copies folders, messages, flags and keywords both ways', async () => {
      await withClient(local, async (c) => {
        await c.mailboxCreate('Archive');
        await c.mailboxCreate('Archive/2024');
        await append(c, expected, 'INBOX', 'local inbox 1', []);
        await append(c, expected, 'INBOX', 'local inbox 2', ['\\Seen']);
        await append(c, expected, 'INBOX', 'local inbox 3', ['\\Seen', '\\Flagged', 'work']);
        await append(c, expected, 'INBOX', 'local inbox 4', ['\\Answered', '$Forwarded']);
        await appendCorpus(c, expected, 'INBOX', 71);
        await append(c, expected, 'Archive', 'local archive 1', ['\\Seen']);
        await append(c, expected, 'Archive/2024', 'local old 1', ['\\Seen', 'receipts']);
        await append(c, expected, 'Archive/2024', 'local old 2', ['\\Seen', '\\Deleted']);
        // A name outside ASCII: modified UTF-7 on the wire (RFC 3501 §5.1.3), kept as is.
        await c.mailboxCreate('Reisen/Köln');
        await append(c, expected, 'Reisen/Köln', 'local trip 1', ['\\Flagged']);
      });
      await withClient(remote, async (c) => {
        await c.mailboxCreate('Sent');
        await append(c, expected, 'INBOX', 'remote inbox 1', ['\\Flagged']);
        await append(c, expected, 'INBOX', 'remote inbox 2', []);
        await append(c, expected, 'Sent', 'remote sent 1', ['\\Seen']);
        await append(c, expected, 'Sent', 'remote sent 2', ['\\Seen', '\\Draft', 'work']);
        await appendCorpus(c, expected, 'Sent', 72);
      });
      await interimap();
      await expectBothAsExpected();
    });

    it('carries changes made on both sides', async () => {
      const inbox = expected.get('INBOX')!;
      await withClient(local, async (c) => {
        await c.mailboxOpen('INBOX');
        await c.messageFlagsAdd({ subject: 'local inbox 1' }, ['\\Seen', 'todo']);
        inbox.get('local inbox 1')!.flags = ['\\Seen', 'todo'];
        await c.messageFlagsRemove({ subject: 'local inbox 3' }, ['\\Flagged', 'work']);
        inbox.get('local inbox 3')!.flags = ['\\Seen'];
        await c.messageDelete({ subject: 'remote inbox 2' });
        inbox.delete('remote inbox 2');
        await append(c, expected, 'INBOX', 'local inbox 5', ['$Label1']);
        await c.mailboxCreate('Projects');
        await append(c, expected, 'Projects', 'local project 1', ['\\Seen']);
      });
      await withClient(remote, async (c) => {
        await c.mailboxOpen('INBOX');
        await c.messageFlagsAdd({ subject: 'local inbox 4' }, ['\\Seen']);
        inbox.get('local inbox 4')!.flags = ['$Forwarded', '\\Answered', '\\Seen'];
        await c.messageFlagsSet({ subject: 'remote inbox 1' }, ['\\Seen', 'work']);
        inbox.get('remote inbox 1')!.flags = ['\\Seen', 'work'];
        await c.mailboxOpen('Archive/2024');
        await c.messageDelete({ subject: 'local old 2' });
        expected.get('Archive/2024')!.delete('local old 2');
        await append(c, expected, 'Sent', 'remote sent 3', ['\\Seen']);
      });
      // And behind each server's back, as a delivery agent or a local mail program would.
      await deliverOnDisk(local, expected, 'INBOX', 'local delivered 1');
      await flagOnDisk(remote, 'Archive', 'local archive 1', 'F');
      expected.get('Archive')!.get('local archive 1')!.flags = ['\\Flagged', '\\Seen'];
      const log = await interimap();
      expect(log).not.toMatch(/warning|error|full synchronization/i);
      for (const said of [
        'local(INBOX): Updated flags',
        'remote(INBOX): Updated flags',
        'remote(INBOX): Removed 1 UID(s)',
        'local(Archive/2024): Removed 1 UID(s)',
        'remote: Created mailbox Projects',
      ])
        expect(log).toContain(said);
      await expectBothAsExpected();
    });

    /** Runs interimap with nothing to do: it must only look, and nothing may change. */
    async function expectNothingToDo(between: () => Promise<void> = async () => undefined) {
      const snapshot = async () => ({
        local: await syncState(local),
        remote: await syncState(remote),
        localFiles: await files(local.maildir),
        remoteFiles: await files(remote.maildir),
      });
      const before = await snapshot();
      await between();
      const log = await interimap();
      // COMPRESS only where offered: interimap compresses its remote connection by default.
      const looked = commandsSent(log).filter((verb) => verb !== 'COMPRESS');
      expect(looked, log).toEqual(['AUTHENTICATE', 'ENABLE', 'LIST']);
      if (remote.label === 'Mailport') expect(log).toMatch(/^remote: C: \S+ COMPRESS DEFLATE$/m);
      expect(log).not.toMatch(CHANGE_MESSAGES);
      expect(await snapshot()).toEqual(before);
      await expectBothAsExpected();
    }

    it('changes nothing when nothing changed', async () => {
      await expectNothingToDo();
    });

    it('carries changes made on disk while Mailport was stopped', async () => {
      const gone = (folder: string, subject: string) => expected.get(folder)!.delete(subject);
      const flagged = (folder: string, subject: string, flag: string) => {
        const m = expected.get(folder)!.get(subject)!;
        m.flags = [...m.flags, flag].sort();
      };
      await local.offline(async () => {
        await rm(await fileOf(local, 'INBOX', 'local inbox 4'));
        gone('INBOX', 'local inbox 4');
        await flagOnDisk(local, 'Sent', 'remote sent 1', 'F');
        flagged('Sent', 'remote sent 1', '\\Flagged');
        await deliverOnDisk(local, expected, 'INBOX', 'local offline 1');
      });
      await remote.offline(async () => {
        await rm(await fileOf(remote, 'Archive/2024', 'local old 1'));
        gone('Archive/2024', 'local old 1');
        await flagOnDisk(remote, 'INBOX', 'local inbox 5', 'S');
        flagged('INBOX', 'local inbox 5', '\\Seen');
        await deliverOnDisk(remote, expected, 'Projects', 'remote offline 1');
      });
      const log = await interimap();
      expect(log).not.toMatch(/warning|error|full synchronization/i);
      await expectBothAsExpected();
    });

    // Dovecot 2.3 now and then leaves out HIGHESTMODSEQ after an APPEND into the selected
    // mailbox (about one run in three of the Dovecot-only pairing here), so interimap's
    // state can trail it by one value and the next run stores the same flags again. A run
    // that copies nothing settles that first; the restart then must change nothing.
    it.skipIf(localKind !== 'mailport' && remoteKind !== 'mailport')(
      'changes nothing after Mailport restarts',
      async () => {
        const settle = await interimap();
        expect(settle).not.toMatch(/Added \d+ UID|Removed \d+ UID|Created mailbox|warning|error/i);
        await expectNothingToDo(async () => {
          await local.offline(async () => undefined);
          await remote.offline(async () => undefined);
        });
      },
    );
  });
});
