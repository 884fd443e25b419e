/**
 * Dovecot and a real `mailport serve` on the same Maildir, one after the other, as when a
 * user serves it with both: subscriptions written by either are read by the other (Dovecot
 * 2.3's `subscriptions` file), and LIST-EXTENDED options get Dovecot's answers (RFC 5258).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasDovecot, startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { LineClient } from '../../helpers/line-client.js';
import { allowed } from '../differential-allowlist.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

let work: string;
let maildir: string;
let dovecot: DovecotServer;
let mailport: RunningMailport;

async function session(port: number, user: string, password: string): Promise<LineClient> {
  const c = await LineClient.connect(port);
  await c.line();
  expect((await c.imap('l', `LOGIN ${user} "${password}"`)).tagged).toMatch(/^l OK/);
  return c;
}

/** Runs commands in a fresh session and returns each one's untagged lines, sorted. */
async function ask(server: 'dovecot' | 'mailport', ...commands: string[]): Promise<string[][]> {
  const c =
    server === 'dovecot'
      ? await session(dovecot.imapPort, dovecot.user, dovecot.password)
      : await session(mailport.ports.imap, 'tester', 'pw-long-enough');
  try {
    const out: string[][] = [];
    for (const command of commands) {
      const r = await c.imap('q', command);
      out.push([...r.untagged.sort(), r.tagged.replace(/ \(\d.*secs\)\.?$/, '')]);
    }
    return out;
  } finally {
    c.close();
  }
}

describe.skipIf(!hasDovecot)('Dovecot and Mailport on one Maildir', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mailport-dcshared-'));
    await chmod(work, 0o755);
    maildir = join(work, 'Maildir');
    for (const folder of ['', '.Work', '.Work.Projects', '.B&APw-ro', '.Caf&AOk-'])
      for (const sub of ['cur', 'new', 'tmp'])
        await mkdir(join(maildir, folder, sub), { recursive: true });
    dovecot = await startDovecot(maildir);
    mailport = await runMailport(
      await setUpMailport(maildir, { user: 'tester', password: 'pw-long-enough' }),
    );
  });
  afterAll(async () => {
    await mailport?.stop();
    await dovecot?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('reads in Dovecot what Mailport subscribed, in the file format Dovecot writes', async () => {
    await ask('mailport', 'SUBSCRIBE Work/Projects', 'SUBSCRIBE B&APw-ro');
    expect(await readFile(join(maildir, 'subscriptions'), 'utf8')).toBe(
      'V\t2\n\nWork\tProjects\nB&APw-ro\n',
    );
    dovecot.handOver();
    const [lsub] = await ask('dovecot', 'LSUB "" "*"');
    expect(lsub).toEqual([
      '* LSUB () "/" B&APw-ro',
      '* LSUB () "/" Work/Projects',
      'q OK Lsub completed',
    ]);
  });

  it('reads in Mailport what Dovecot subscribed and keeps it when subscribing more', async () => {
    await ask('dovecot', 'SUBSCRIBE Caf&AOk-', 'UNSUBSCRIBE Work/Projects', 'SUBSCRIBE Work');
    const [lsub] = await ask('mailport', 'LSUB "" "*"', 'SUBSCRIBE INBOX');
    expect(lsub).toEqual([
      '* LSUB () "/" B&APw-ro',
      '* LSUB () "/" Caf&AOk-',
      '* LSUB () "/" Work',
      'q OK Lsub completed.',
    ]);
    dovecot.handOver();
    const [again] = await ask('dovecot', 'LSUB "" "*"');
    expect(again).toEqual([
      '* LSUB () "/" B&APw-ro',
      '* LSUB () "/" Caf&AOk-',
      '* LSUB () "/" INBOX',
      '* LSUB () "/" Work',
      'q OK Lsub completed',
    ]);
  });

  it.each([
    'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"',
    'LIST (SUBSCRIBED RECURSIVEMATCH) "" "*"',
    'LIST (SUBSCRIBED RECURSIVEMATCH REMOTE) "" "W%" RETURN (CHILDREN)',
    'LIST (RECURSIVEMATCH) "" "*"',
    'LIST (RECURSIVEMATCH REMOTE) "" "*"',
    'LIST (BOGUS) "" "*"',
    'LIST "" "*" RETURN (BOGUS)',
  ])('answers %s as Dovecot does', async (command) => {
    // A subscribed child under a parent that is not subscribed, for RECURSIVEMATCH.
    await ask('dovecot', 'SUBSCRIBE Work/Projects', 'UNSUBSCRIBE Work');
    dovecot.handOver();
    const [theirs = []] = await ask('dovecot', command);
    const [ours = []] = await ask('mailport', command);
    const status = (lines: string[]) => lines.at(-1)!.split(' ')[1];
    expect(status(ours)).toBe(status(theirs));
    const a = theirs.slice(0, -1).join('\n');
    const b = ours.slice(0, -1).join('\n');
    expect(a === b || allowed('LIST', a, b), `dovecot:\n${a}\nmailport:\n${b}`).toBe(true);
  });
});
