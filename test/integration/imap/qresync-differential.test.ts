/**
 * Differential test for QRESYNC (RFC 7162 §3.2): Dovecot 2.3.19 and Mailport serve copies of
 * one small Maildir (UIDs given by Dovecot first) and get the same script. Mod-sequence values
 * are each server's own, so they are replaced by `<m>` before comparing, and every modseq a
 * command carries is one that server itself reported (`$H` the last HIGHESTMODSEQ, `$K` the
 * one kept by an earlier step), as a client would do.
 */
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMessages, writeCorpus } from '../../helpers/corpus.js';
import { hasDovecot, startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { imapSession } from '../../helpers/differential.js';
import type { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';
import { allowed, unusedEntries } from '../differential-allowlist.js';

const MESSAGES = 8;

/** One server's session, the HIGHESTMODSEQ it last reported and one kept for later. */
interface Side {
  readonly c: LineClient;
  highest: number;
  kept: number;
  uidValidity: number;
}

/** Sends one command; returns its untagged lines and tagged reply, modseq values hidden. */
async function run(side: Side, command: string, keep = false): Promise<string> {
  const sent = command
    .replace(/\$H/g, String(side.highest))
    .replace(/\$K/g, String(side.kept))
    .replace(/\$V/g, String(side.uidValidity));
  const r = await side.c.imap('q', sent, 30_000);
  const all = [...r.untagged, r.tagged];
  for (const line of all) {
    const m = /HIGHESTMODSEQ (\d+)/.exec(line);
    if (m) side.highest = Number(m[1]);
    const v = /UIDVALIDITY (\d+)/.exec(line);
    if (v) side.uidValidity = Number(v[1]);
  }
  if (keep) side.kept = side.highest;
  return all
    .join('\n')
    .replace(/(HIGHESTMODSEQ|MODSEQ \(?)\d+/g, '$1<m>')
    .replace(/COPYUID \d+/g, 'COPYUID <v>') // a new mailbox's UIDVALIDITY is the time
    .replace(/ \(\d+\.\d+ \+ \d+\.\d+(?: \+ \d+\.\d+)? secs\)/g, '') // Dovecot's timings
    .replace(/^(q (?:NO|BAD)) .*$/m, '$1'); // the texts of errors are each server's own
}

interface Pair {
  /** A new session on each: Dovecot's first. */
  sessions(): Promise<[Side, Side]>;
  stop(): Promise<void>;
}

/** `count` messages in a Maildir that Dovecot numbers first, then a copy for Mailport. */
async function serveSmall(count: number, seed: number): Promise<Pair> {
  const work = await mkdtemp(join(tmpdir(), 'mailport-qresync-'));
  await chmod(work, 0o755); // Dovecot serves the Maildir as an unprivileged user
  const reference = join(work, 'dovecot');
  await writeCorpus(reference, generateMessages({ count, seed, largeShare: 0 }));
  const dovecot: DovecotServer = await startDovecot(reference, { index: 'disk' });
  const first = await imapSession(dovecot.imapPort, dovecot.user, dovecot.password);
  await first.imap('s', 'SELECT INBOX');
  await first.imap('o', 'LOGOUT');
  first.close();
  const mailport: TestService = await startService(undefined, (maildir) =>
    cp(reference, maildir, { recursive: true, preserveTimestamps: true }),
  );
  const clients: LineClient[] = [];
  return {
    async sessions() {
      const a = await imapSession(dovecot.imapPort, dovecot.user, dovecot.password);
      const b = await imapSession(mailport.ports.imap, mailport.user, mailport.password);
      clients.push(a, b);
      const side = (c: LineClient): Side => ({ c, highest: 0, kept: 0, uidValidity: 0 });
      return [side(a), side(b)];
    },
    async stop() {
      for (const c of clients) c.close();
      await dovecot.stop();
      await mailport.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** What `side` hears in IDLE while `other` runs `command`, through the end of IDLE. */
async function idleThrough(side: Side, other: Side, command: string): Promise<string> {
  side.c.send('i IDLE\r\n');
  await side.c.until(/^\+ /);
  await run(other, command);
  const heard = await side.c.until(/^\* VANISHED /);
  side.c.send('DONE\r\n');
  heard.push(...(await side.c.until(/^i /)));
  return heard
    .join('\n')
    .replace(/(HIGHESTMODSEQ )\d+/g, '$1<m>')
    .replace(/ \(\d+\.\d+ \+ \d+\.\d+(?: \+ \d+\.\d+)? secs\)/g, ''); // Dovecot's timings
}

/** A command, and whether the HIGHESTMODSEQ after it is kept as `$K`. */
type Step = readonly [command: string, keep?: 'keep'];

describe.skipIf(!hasDovecot)('QRESYNC answers as Dovecot does', () => {
  let pair: Pair;
  let theirs: Side;
  let ours: Side;

  beforeAll(async () => {
    pair = await serveSmall(MESSAGES, 7162);
    [theirs, ours] = await pair.sessions();
  }, 120_000);

  afterAll(() => pair?.stop());

  // In order: each step works on the state the earlier ones left, on both servers alike.
  const script: Step[] = [
    ['SELECT INBOX (QRESYNC (1 1))'],
    ['SELECT INBOX'],
    ['ENABLE QRESYNC'],
    ['SELECT INBOX', 'keep'],
    ['UID FETCH 1:* (FLAGS) (CHANGEDSINCE $K VANISHED)'],
    ['STORE 1 +FLAGS (\\Deleted)'],
    ['EXPUNGE'],
    ['UID STORE 2:3 +FLAGS (\\Deleted)'],
    ['UID EXPUNGE 2'],
    ['CREATE Other'],
    ['UID MOVE 4 Other'],
    ['MOVE 2 Other'],
    ['STORE 1 +FLAGS (\\Flagged)'],
    ['UID FETCH 1:* (FLAGS) (CHANGEDSINCE $K VANISHED)'],
    ['UID FETCH 2:4,6 (FLAGS) (CHANGEDSINCE $K VANISHED)'],
    ['UID FETCH 1:* (FLAGS) (VANISHED CHANGEDSINCE $K)'],
    ['UID FETCH 1:* (FLAGS) (VANISHED)'],
    ['FETCH 1:* (FLAGS) (CHANGEDSINCE $K VANISHED)'],
    ['UID FETCH 1:* (FLAGS) (CHANGEDSINCE $H VANISHED)'],
    ['SELECT INBOX (QRESYNC ($V $K))'],
    ['SELECT INBOX (QRESYNC ($V $K 1:3,5:20))'],
    ['SELECT INBOX (QRESYNC ($V $K 1:2,4:20))'],
    ['FETCH 1 (FLAGS)'],
    ['FETCH 1 (BODY.PEEK[HEADER.FIELDS (X-NONE)])'],
    ['FETCH 2 (BODY[HEADER.FIELDS (X-NONE)])'],
    ['UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)'],
    ['UID FETCH 1:10 (FLAGS) (CHANGEDSINCE 1 VANISHED)'],
    ['SELECT INBOX (QRESYNC ($V $K 1:20 (1:3 1:3)))'],
    ['SELECT INBOX (QRESYNC ($V $K 1:20 (1,3 1,6)))'],
    ['EXAMINE INBOX (QRESYNC ($V 1))'],
    ['SELECT INBOX (QRESYNC ($V $H))'],
    ['SELECT INBOX (QRESYNC (1 $K))'],
    ['SELECT INBOX (QRESYNC ($V $K) CONDSTORE)'],
    ['SELECT INBOX (QRESYNC)'],
    ['SELECT INBOX (QRESYNC ($V))'],
    ['SELECT INBOX (QRESYNC ($V 0))'],
    ['SELECT INBOX (QRESYNC ($V $K 1:20 (1:3)))'],
    ['UNSELECT'],
    ['SELECT INBOX (QRESYNC ($V $K))'],
    ['CLOSE'],
    ['ENABLE QRESYNC CONDSTORE'],
  ];
  it.each(script.map(([command, keep], step) => [step, command, keep] as const))(
    'step %i: %s',
    async (_step, command, keep) => {
      const a = await run(theirs, command, keep === 'keep');
      const b = await run(ours, command, keep === 'keep');
      if (!allowed('QRESYNC', a, b)) expect(b).toBe(a);
    },
  );

  it('needs every allowed difference it has', () => {
    expect(unusedEntries((where) => where === 'QRESYNC')).toEqual([]);
  });

  it('is listed in CAPABILITY by both', async () => {
    for (const side of [theirs, ours]) {
      const caps = (await side.c.imap('c', 'CAPABILITY')).untagged.join(' ').split(' ');
      expect(caps).toContain('QRESYNC');
    }
  });
});

describe.skipIf(!hasDovecot)('QRESYNC: expunges by another session', () => {
  let pair: Pair;

  beforeAll(async () => {
    pair = await serveSmall(5, 3);
  }, 120_000);

  afterAll(() => pair?.stop());

  it('are VANISHED at the next NOOP and in IDLE; EXPUNGE for a session without QRESYNC', async () => {
    const sides = await pair.sessions();
    const others = await pair.sessions();
    const plain = await pair.sessions();
    const out: string[][] = [[], []];
    for (const [i, side] of sides.entries()) {
      out[i]!.push(await run(side, 'ENABLE QRESYNC'));
      out[i]!.push(await run(side, 'SELECT INBOX'));
      out[i]!.push(await run(plain[i]!, 'SELECT INBOX'));
      out[i]!.push(await run(others[i]!, 'SELECT INBOX'));
      out[i]!.push(await run(others[i]!, 'STORE 2:3 +FLAGS (\\Deleted)'));
      out[i]!.push(await run(others[i]!, 'EXPUNGE'));
      out[i]!.push(await run(side, 'NOOP'));
      out[i]!.push(await run(plain[i]!, 'NOOP'));
      out[i]!.push(await run(others[i]!, 'UID EXPUNGE 1:*'));
      out[i]!.push(await run(others[i]!, 'UID STORE 1 +FLAGS (\\Deleted)'));
      out[i]!.push(await run(others[i]!, 'STORE 1 +FLAGS (\\Seen)'));
      out[i]!.push(await run(side, 'NOOP'));
      out[i]!.push(await run(side, 'FETCH 1:* (UID)'));
      out[i]!.push(await run(side, 'UID FETCH 1:* (UID)'));
      out[i]!.push(await run(side, 'NOOP'));
      out[i]!.push(await idleThrough(side, others[i]!, 'UID EXPUNGE 1'));
    }
    for (const [i, theirs] of out[0]!.entries())
      if (!allowed('QRESYNC other sessions', theirs, out[1]![i]!)) expect(out[1]![i]).toBe(theirs);
  });

  it('a FETCH that sets \\Seen is followed by the new MODSEQ (CONDSTORE, then QRESYNC)', async () => {
    const sides = await pair.sessions();
    const out: string[][] = [[], []];
    for (const [i, side] of sides.entries()) {
      for (const command of [
        'ENABLE CONDSTORE',
        'SELECT INBOX',
        'STORE 1:* -FLAGS.SILENT (\\Seen)',
        'FETCH 1 (BODY[HEADER.FIELDS (X-NONE)])',
        'ENABLE QRESYNC',
        'FETCH 1:2 (FLAGS BODY[HEADER.FIELDS (X-NONE)])',
        'UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (X-NONE)])',
      ])
        out[i]!.push(await run(side, command));
    }
    expect(out[1]).toEqual(out[0]);
  });

  it('needs every allowed difference it has', () => {
    expect(unusedEntries((where) => where === 'QRESYNC other sessions')).toEqual([]);
  });
});
