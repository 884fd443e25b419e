/**
 * COMPRESS=DEFLATE (RFC 4978) against Dovecot with its imap_zlib plugin: the same commands,
 * before and after compression starts, over copies of one Maildir; the untagged lines and
 * each tagged reply's status and response code must be the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMessages, writeCorpus } from '../../helpers/corpus.js';
import { DeflateClient } from '../../helpers/deflate-client.js';
import { startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { startService, type TestService } from '../../helpers/service.js';

let work: string;
let dovecot: DovecotServer;
let mailport: TestService;

/** Untagged lines, and the tagged reply cut to its status and response code. */
async function answer(c: DeflateClient, command: string): Promise<string> {
  const r = await c.imap('t', command, 30_000);
  const status = /^t (OK|NO|BAD)( \[[^\]]*\])?/.exec(r.tagged)?.[0] ?? r.tagged;
  return [...r.untagged, status].join('\n');
}

/** Capabilities as a sorted set, leaving out what is not about COMPRESS. */
function compressCaps(text: string): string {
  return text.includes('COMPRESS=DEFLATE') ? 'COMPRESS=DEFLATE' : '-';
}

describe('COMPRESS=DEFLATE answers as Dovecot does', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mailport-compress-diff-'));
    await chmod(work, 0o755); // Dovecot serves the Maildir as an unprivileged user
    const reference = join(work, 'dovecot');
    await writeCorpus(reference, generateMessages({ count: 20, seed: 4978, largeShare: 0.1 }));
    dovecot = await startDovecot(reference, { compress: true });
    // Dovecot numbers the messages first; Mailport then reads its UIDs.
    const first = await DeflateClient.connect(dovecot.imapPort);
    await first.line();
    await first.imap('l', `LOGIN ${dovecot.user} ${dovecot.password}`);
    await first.imap('s', 'SELECT INBOX');
    first.close();
    mailport = await startService(undefined, (maildir) =>
      cp(reference, maildir, { recursive: true, preserveTimestamps: true }),
    );
  }, 60_000);

  afterAll(async () => {
    await dovecot?.stop();
    await mailport?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('offers it after login only, refuses what Dovecot refuses, and compresses alike', async () => {
    const sessions = await Promise.all(
      [
        [dovecot.imapPort, dovecot.user, dovecot.password],
        [mailport.ports.imap, mailport.user, mailport.password],
      ].map(async ([port, user, password]) => {
        const c = await DeflateClient.connect(port as number);
        const greeting = compressCaps(await c.line());
        const before = await answer(c, 'COMPRESS DEFLATE');
        const login = compressCaps((await c.imap('l', `LOGIN ${user} "${password}"`)).tagged);
        return { c, greeting, before, login };
      }),
    );
    const [theirs, ours] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    try {
      expect(ours.greeting).toBe(theirs.greeting);
      expect(ours.before.replace(/ \[[^\]]*\]/, '')).toBe(theirs.before.replace(/ \[[^\]]*\]/, ''));
      expect(ours.login).toBe(theirs.login);
      const plain = ['COMPRESS', 'COMPRESS GZIP'];
      for (const command of plain)
        expect(await answer(ours.c, command), command).toBe(await answer(theirs.c, command));
      for (const s of [theirs, ours]) {
        expect(await s.c.compress('t')).toMatch(/^t OK /);
      }
      const [a, b] = [await answer(theirs.c, 'CAPABILITY'), await answer(ours.c, 'CAPABILITY')];
      expect(compressCaps(b), 'CAPABILITY once compressed').toBe(compressCaps(a));
      const compressed = [
        'COMPRESS DEFLATE',
        'NOOP',
        'EXAMINE INBOX',
        'UID FETCH 1:5 (UID RFC822.SIZE FLAGS)',
        'UID FETCH 1:3 (BODY.PEEK[])',
        'UID SEARCH RETURN (COUNT) ALL',
        'LOGOUT',
      ];
      for (const command of compressed) {
        const [a, b] = [await answer(theirs.c, command), await answer(ours.c, command)];
        if (command === 'EXAMINE INBOX' || command === 'LOGOUT') {
          // Greeting texts and EXAMINE's informational lines are compared elsewhere.
          expect(b.split('\n').at(-1), command).toBe(a.split('\n').at(-1));
        } else {
          expect(b, command).toBe(a);
        }
      }
    } finally {
      for (const s of sessions) s.c.close();
    }
  });
});
