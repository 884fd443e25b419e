/**
 * Differential test for CONDSTORE (RFC 7162 §3.1): Dovecot 2.3.19 and Mailport serve copies of
 * one small Maildir (UIDs given by Dovecot first) and get the same script. Mod-sequence values
 * are each server's own (Dovecot counts from its index, Mailport from its state file), so the
 * numbers are replaced by `<m>` before comparing, and every CHANGEDSINCE/UNCHANGEDSINCE/MODSEQ
 * argument is the value that server itself reported: what a client does.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMessages, writeCorpus } from '../../helpers/corpus.js';
import { hasDovecot, startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { imapSession } from '../../helpers/differential.js';
import type { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';
import { allowed, unusedEntries } from '../differential-allowlist.js';

const MESSAGES = 6;

/** One server's session and the HIGHESTMODSEQ it last reported. */
interface Side {
  readonly c: LineClient;
  highest: number;
}

/** Sends one command; returns its untagged lines and tagged reply, numbers of modseqs hidden. */
async function run(side: Side, command: string): Promise<string> {
  const r = await side.c.imap('q', command.replace(/\$H/g, String(side.highest)), 30_000);
  const all = [...r.untagged, r.tagged];
  for (const line of all) {
    const m = /HIGHESTMODSEQ (\d+)/.exec(line);
    if (m) side.highest = Number(m[1]);
  }
  return all
    .join('\n')
    .replace(/(HIGHESTMODSEQ|MODSEQ \(?)\d+/g, '$1<m>')
    .replace(/ \(\d+\.\d+ \+ \d+\.\d+(?: \+ \d+\.\d+)? secs\)/g, '') // Dovecot's timings
    .replace(/^(q (?:NO|BAD)) .*$/m, '$1'); // the texts of errors are each server's own
}

interface Pair {
  readonly dovecot: DovecotServer;
  readonly mailport: TestService;
  /** A new session on each: Dovecot's first. */
  sessions(): Promise<[Side, Side]>;
  stop(): Promise<void>;
}

/** `count` messages in a Maildir that Dovecot numbers first, then a copy for Mailport. */
async function serveSmall(count: number, seed: number): Promise<Pair> {
  const work = await mkdtemp(join(tmpdir(), 'mailport-condstore-'));
  await chmod(work, 0o755); // Dovecot serves the Maildir as an unprivileged user
  const reference = join(work, 'dovecot');
  await writeCorpus(reference, generateMessages({ count, seed, largeShare: 0 }));
  const dovecot = await startDovecot(reference, { index: 'disk' });
  const first = await imapSession(dovecot.imapPort, dovecot.user, dovecot.password);
  await first.imap('s', 'SELECT INBOX');
  await first.imap('o', 'LOGOUT');
  first.close();
  const mailport = await startService(undefined, (maildir) =>
    cp(reference, maildir, { recursive: true, preserveTimestamps: true }),
  );
  const clients: LineClient[] = [];
  return {
    dovecot,
    mailport,
    async sessions() {
      const a = await imapSession(dovecot.imapPort, dovecot.user, dovecot.password);
      const b = await imapSession(mailport.ports.imap, mailport.user, mailport.password);
      clients.push(a, b);
      return [
        { c: a, highest: 0 },
        { c: b, highest: 0 },
      ];
    },
    async stop() {
      for (const c of clients) c.close();
      await dovecot.stop();
      await mailport.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}

describe.skipIf(!hasDovecot)('CONDSTORE answers as Dovecot does', () => {
  let pair: Pair;
  let theirs: Side;
  let ours: Side;

  beforeAll(async () => {
    pair = await serveSmall(MESSAGES, 7162);
    [theirs, ours] = await pair.sessions();
  }, 120_000);

  afterAll(() => pair?.stop());

  // In order: each step works on the state the earlier ones left, on both servers alike.
  const script = [
    'STATUS INBOX (MESSAGES HIGHESTMODSEQ)',
    'SELECT INBOX (CONDSTORE)',
    'FETCH 1:* (UID MODSEQ)',
    'STORE 2 +FLAGS (\\Flagged)',
    'UID STORE 1:3 +FLAGS.SILENT (\\Answered)',
    'STORE 1:3 +FLAGS.SILENT (\\Answered)',
    'FETCH 1:* (FLAGS) (CHANGEDSINCE $H)',
    'NOOP',
    'STORE 4 (UNCHANGEDSINCE $H) +FLAGS (\\Seen)',
    'STORE 1:2 (UNCHANGEDSINCE 1) -FLAGS (\\Answered)',
    'UID STORE 1:6 (UNCHANGEDSINCE 1) FLAGS (\\Draft)',
    'SEARCH MODSEQ $H',
    'UID SEARCH MODSEQ 1',
    'SEARCH MODSEQ "/flags/\\\\draft" all 1',
    'SEARCH MODSEQ 99999999999999999',
    'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)',
    'FETCH 1 (FLAGS) (CHANGEDSINCE 0)',
    'FETCH 5 (UID BODY[HEADER.FIELDS (X-NONE)])',
    'FETCH 6 (MODSEQ BODY[HEADER.FIELDS (X-NONE)])',
    'FETCH 1 (FLAGS) (UNKNOWN 1)',
    'STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Seen)',
    'SELECT INBOX (FOO)',
    'EXAMINE INBOX',
    'STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Seen)',
    'ENABLE CONDSTORE',
  ];
  it.each(script.map((command, step) => [step, command] as const))(
    'step %i: %s',
    async (_step, command) => {
      const a = await run(theirs, command);
      const b = await run(ours, command);
      if (!allowed('CONDSTORE', a, b)) expect(b).toBe(a);
    },
  );

  it('needs every allowed difference it has', () => {
    expect(unusedEntries((where) => where === 'CONDSTORE')).toEqual([]);
  });
});

describe.skipIf(!hasDovecot)('CONDSTORE turned on later', () => {
  let pair: Pair;

  beforeAll(async () => {
    pair = await serveSmall(3, 1);
  }, 120_000);

  afterAll(() => pair?.stop());

  it('ENABLE while selected reports HIGHESTMODSEQ at once, then MODSEQ with flag changes', async () => {
    const sides = await pair.sessions();
    const other = await pair.sessions();
    const out: string[][] = [[], []];
    for (const [i, side] of sides.entries()) {
      for (const command of ['SELECT INBOX', 'ENABLE CONDSTORE', 'STORE 1 +FLAGS (\\Seen)'])
        out[i]!.push(await run(side, command));
      // Another session changes a flag: this one hears of it with its MODSEQ.
      await run(other[i]!, 'SELECT INBOX');
      await run(other[i]!, 'STORE 2 +FLAGS (\\Flagged)');
      out[i]!.push(await run(side, 'NOOP'));
      out[i]!.push(await run(side, 'FETCH 1:* (MODSEQ)'));
    }
    expect(out[1]).toEqual(out[0]);
  });

  it('STATUS HIGHESTMODSEQ and FETCH MODSEQ turn it on before SELECT', async () => {
    const sides = await pair.sessions();
    const out: string[][] = [[], []];
    for (const [i, side] of sides.entries())
      for (const command of ['FETCH 1 MODSEQ', 'STATUS INBOX (HIGHESTMODSEQ)', 'EXAMINE INBOX'])
        out[i]!.push(await run(side, command));
    expect(out[1]).toEqual(out[0]);
  });
});
