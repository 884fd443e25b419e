/**
 * ESEARCH (RFC 4731) and SEARCHRES (RFC 5182) against Dovecot: both servers serve copies of
 * one Maildir (see `helpers/differential.ts`) and get the same commands; the untagged answers
 * and the status of each tagged reply must be the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasDovecot } from '../../helpers/dovecot.js';
import { imapSession, serveBoth, type BothServers } from '../../helpers/differential.js';
import type { LineClient } from '../../helpers/line-client.js';

let both: BothServers;

/** The untagged lines and the tagged status word of one command. */
async function answer(c: LineClient, command: string): Promise<string> {
  const r = await c.imap('e', command, 60_000);
  const status = /^e (OK|NO|BAD)/.exec(r.tagged)?.[1] ?? r.tagged;
  return [...r.untagged, status].join('\n');
}

/** The same commands, in order, to both servers; the transcripts that differ. */
async function differences(
  theirs: LineClient,
  ours: LineClient,
  commands: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const command of commands) {
    const [a, b] = [await answer(theirs, command), await answer(ours, command)];
    if (a !== b) out.push(`${command}\n  dovecot:  ${a}\n  mailport: ${b}`);
  }
  return out;
}

describe.skipIf(!hasDovecot)('ESEARCH and SEARCHRES answer as Dovecot does', () => {
  let theirs: LineClient;
  let ours: LineClient;

  beforeAll(async () => {
    both = await serveBoth();
    theirs = await imapSession(both.dovecot.imapPort, both.dovecot.user, both.dovecot.password);
    ours = await imapSession(both.mailport.ports.imap, both.mailport.user, both.mailport.password);
  });

  afterAll(async () => {
    theirs?.close();
    ours?.close();
    await both?.stop();
  });

  it('advertises both after login', async () => {
    const caps = await answer(ours, 'CAPABILITY');
    expect(caps).toMatch(/ ESEARCH( |$)/m);
    expect(caps).toMatch(/ SEARCHRES( |$)/m);
  });

  it.each(['SEARCH', 'UID SEARCH'])('%s RETURN (…) in INBOX', async (verb) => {
    await answer(theirs, 'EXAMINE INBOX');
    await answer(ours, 'EXAMINE INBOX');
    const commands = [
      'RETURN (MIN MAX COUNT ALL) ALL',
      'RETURN () FLAGGED',
      'RETURN (ALL) SEEN',
      'RETURN (MIN) UNSEEN',
      'RETURN (MAX) SUBJECT invoice',
      'RETURN (COUNT) FROM alice',
      'RETURN (MIN MAX) 5:20',
      'RETURN (COUNT ALL) UID 1:50',
      'RETURN (MIN MAX COUNT ALL) SUBJECT "no such subject anywhere"',
      'RETURN (MIN MAX ALL) NOT ALL',
      'RETURN (ALL) CHARSET UTF-8 SUBJECT invoice',
      'RETURN (ALL) OR DELETED LARGER 20000',
      'RETURN (min count) deleted',
      'RETURN (FOO) ALL',
      'RETURN ALL',
    ].map((c) => `${verb} ${c}`);
    expect((await differences(theirs, ours, commands)).join('\n')).toBe('');
  });

  it('saves a result for $ in FETCH, SEARCH and their UID forms, and resets it', async () => {
    const commands = [
      'EXAMINE INBOX',
      'FETCH $ (UID)', // nothing saved yet: an empty set
      'SEARCH RETURN (SAVE) FLAGGED',
      'FETCH $ (UID FLAGS)',
      'UID FETCH $ (FLAGS)',
      'SEARCH $',
      'UID SEARCH UID $',
      'SEARCH RETURN (ALL) NOT $',
      'UID SEARCH RETURN (SAVE ALL) 10:30 SEEN',
      'FETCH $ (UID)',
      'SEARCH RETURN (SAVE MIN MAX) SEEN', // RFC 5182 §2.4: only MIN and MAX are saved
      'UID SEARCH RETURN (ALL) $',
      'SEARCH RETURN (SAVE MIN COUNT) SEEN', // with COUNT, all of them
      'UID SEARCH RETURN (COUNT) $',
      'SEARCH RETURN (SAVE) RETURN', // BAD: $ unchanged
      'UID SEARCH RETURN (COUNT) $',
      'SEARCH RETURN (SAVE) CHARSET x-no-such-charset SUBJECT a', // NO: $ emptied
      'UID SEARCH RETURN (COUNT) $',
      'SEARCH RETURN (SAVE) 1:3',
      'UID SEARCH RETURN (ALL) $',
      'EXAMINE "Archive/2024"', // a new selection forgets $
      'UID SEARCH RETURN (ALL) $',
      'FETCH $,1 (UID)', // `$` does not combine
    ];
    expect((await differences(theirs, ours, commands)).join('\n')).toBe('');
  });

  it('uses $ in STORE, COPY and MOVE, and drops expunged messages from it', async () => {
    const commands = [
      'SELECT "Archive/2024"',
      'UID SEARCH RETURN (SAVE) 3:8',
      'STORE $ +FLAGS (\\Flagged)',
      'UID STORE $ -FLAGS (\\Flagged)',
      'STORE $ +FLAGS (\\Flagged)',
      'FETCH 1:10 (FLAGS)',
      'COPY $ Trash',
      'UID COPY $ Junk',
      'MOVE $ Drafts',
      'UID SEARCH RETURN (ALL) $',
      'SEARCH RETURN (SAVE) 1:2',
      'UID MOVE $ Drafts',
      'STATUS Trash (MESSAGES)',
      'STATUS Drafts (MESSAGES)',
      'UID SEARCH RETURN (COUNT ALL) $',
      'UID SEARCH RETURN (COUNT ALL) ALL',
    ];
    expect((await differences(theirs, ours, commands)).join('\n')).toBe('');
  });
});
