/**
 * Dovecot and Mailport serving copies of one Maildir, for the differential tests. The
 * reference Maildir gets the corpus in INBOX and a few folders (nested, a parent that exists
 * only through its child, a non-ASCII name, messages in new/ and cur/ with flags). Dovecot
 * serves it first: it assigns the UIDs and UIDVALIDITY of every folder and writes the
 * subscriptions, so both servers then number the same messages alike. The Maildir is then
 * copied (timestamps kept) into the Maildir of an in-process Mailport.
 */
import { chmod, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMessages, writeCorpus, type GeneratedMessage } from './corpus.js';
import { generateHardCorpus } from './hard-corpus.js';
import { startDovecot, type DovecotServer } from './dovecot.js';
import { LineClient } from './line-client.js';
import { startService, type TestService } from './service.js';

export const VARIED = 300;
export const HARD = 440;

/** The INBOX corpus: varied everyday mail, then the hard cases. */
export function differentialCorpus(): GeneratedMessage[] {
  return [
    ...generateMessages({ count: VARIED, seed: 1234, largeShare: 0.01 }),
    ...generateHardCorpus(HARD, 99),
  ];
}

/** Folders besides INBOX: IMAP name (modified UTF-7, `/` between levels) → messages. */
export const FOLDERS: readonly (readonly [string, GeneratedMessage[]])[] = [
  ['Sent', generateMessages({ count: 10, seed: 11, largeShare: 0 })],
  ['Drafts', generateMessages({ count: 2, seed: 12, largeShare: 0 })],
  ['Trash', []],
  ['Junk', generateMessages({ count: 3, seed: 13, largeShare: 0 })],
  ['Archive', []],
  ['Archive/2023', []],
  ['Archive/2024', generateMessages({ count: 30, seed: 14, largeShare: 0 })],
  ['Lists/mailport-dev', generateMessages({ count: 5, seed: 15, largeShare: 0 })],
  ['Reisen', []],
  ['Reisen/K&APY-ln', generateMessages({ count: 4, seed: 16, largeShare: 0 })], // Köln
];

/** Subscribed names, one of them a folder that does not exist. */
export const SUBSCRIBED = ['INBOX', 'Sent', 'Archive/2024', 'Lists/mailport-dev', 'Gone'];

export interface BothServers {
  readonly dovecot: DovecotServer;
  readonly mailport: TestService;
  /** The Maildir Dovecot serves. */
  readonly reference: string;
  /** Puts the same new files into both INBOXes' new/, as a delivery agent would. */
  deliver(messages: readonly GeneratedMessage[]): Promise<void>;
  stop(): Promise<void>;
}

export async function serveBoth(): Promise<BothServers> {
  const work = await mkdtemp(join(tmpdir(), 'mailport-diff-'));
  await chmod(work, 0o755); // Dovecot serves the Maildir as an unprivileged user
  const reference = join(work, 'dovecot');
  await writeCorpus(reference, differentialCorpus());
  for (const [name, messages] of FOLDERS) {
    const dir = join(reference, `.${name.replace(/\//g, '.')}`);
    await writeCorpus(dir, messages);
    await writeFile(join(dir, 'maildirfolder'), '');
  }
  const dovecot = await startDovecot(reference, { index: 'disk' });
  let mailport: TestService;
  try {
    await firstVisit(dovecot);
    // Copied before Mailport starts, so that it reads Dovecot's UIDs rather than racing the copy.
    mailport = await startService(undefined, (maildir) =>
      cp(reference, maildir, { recursive: true, preserveTimestamps: true }),
    );
  } catch (err) {
    await dovecot.stop();
    await rm(work, { recursive: true, force: true });
    throw err;
  }
  return {
    dovecot,
    mailport,
    reference,
    async deliver(messages) {
      for (const m of messages) {
        await writeFile(join(reference, 'new', m.fileName), m.bytes);
        await writeFile(join(mailport.maildir, 'new', m.fileName), m.bytes);
      }
      dovecot.handOver();
    },
    async stop() {
      await dovecot.stop();
      await mailport.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/**
 * Dovecot opens every folder read-write (writing its dovecot-uidlist, moving new/ to cur/ and
 * so taking \Recent from every message, for Mailport too) and writes the subscriptions.
 */
async function firstVisit(dovecot: DovecotServer): Promise<void> {
  const c = await LineClient.connect(dovecot.imapPort);
  try {
    await c.line();
    const expectOk = async (tag: string, command: string) => {
      const r = await c.imap(tag, command, 60_000);
      if (!r.tagged.startsWith(`${tag} OK`)) throw new Error(`Dovecot: ${command}: ${r.tagged}`);
    };
    await expectOk('l', `LOGIN "${dovecot.user}" "${dovecot.password}"`);
    for (const name of ['INBOX', ...FOLDERS.map(([n]) => n)]) {
      await expectOk('s', `SELECT "${name}"`);
      await expectOk('c', 'UNSELECT');
    }
    await expectOk('g', 'CREATE "Gone"'); // subscribed, then deleted
    for (const name of SUBSCRIBED) await expectOk('u', `SUBSCRIBE "${name}"`);
    await expectOk('d', 'DELETE "Gone"');
    await expectOk('o', 'LOGOUT');
  } finally {
    c.close();
  }
}

/** A logged-in IMAP session with the plain-text LOGIN both servers allow on loopback here. */
export async function imapSession(
  port: number,
  user: string,
  password: string,
): Promise<LineClient> {
  const c = await LineClient.connect(port);
  await c.line();
  const login = await c.imap('l', `LOGIN "${user}" "${password}"`);
  if (!/^l OK/.test(login.tagged)) throw new Error(`login failed: ${login.tagged}`);
  return c;
}
