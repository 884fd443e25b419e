/**
 * Differential test: Debian's Dovecot and Mailport serve copies of the same Maildir (UIDs
 * assigned by Dovecot first, so both number messages alike) and answer the same commands.
 * FETCH items and SEARCH results are compared response by response; a difference fails unless
 * it is in the reviewed allow-list below with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMessages, writeCorpus } from '../../helpers/corpus.js';
import { generateHardCorpus } from '../../helpers/hard-corpus.js';
import { hasDovecot, startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';

const VARIED = 300;
const HARD = 260;
const COUNT = VARIED + HARD;

/** Reviewed differences: item → reason. Keep it short and honest. */
const ALLOWED: ReadonlyMap<string, string> = new Map([]);

let work: string;
let dovecot: DovecotServer;
let mailport: TestService;

async function session(port: number, user: string, password: string): Promise<LineClient> {
  const c = await LineClient.connect(port);
  await c.line();
  const login = await c.imap('l', `LOGIN "${user}" "${password}"`);
  expect(login.tagged).toMatch(/^l OK/);
  expect((await c.imap('s', 'EXAMINE INBOX')).tagged).toMatch(/^s OK/);
  return c;
}

/** `* n FETCH (...)` lines keyed by UID, with the sequence number dropped. */
function byUid(lines: string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of lines) {
    const m = /^\* \d+ FETCH \(UID (\d+) (.*)\)$/s.exec(line);
    if (m) out.set(Number(m[1]), m[2]!);
  }
  return out;
}

describe.skipIf(!hasDovecot)('Mailport and Dovecot answer alike', () => {
  let theirs: LineClient;
  let ours: LineClient;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mailport-diff-'));
    await chmod(work, 0o755);
    const reference = join(work, 'dovecot');
    await writeCorpus(reference, [
      ...generateMessages({ count: VARIED, seed: 1234, largeShare: 0.01 }),
      ...generateHardCorpus(HARD, 99),
    ]);
    dovecot = await startDovecot(reference);
    theirs = await session(dovecot.imapPort, dovecot.user, dovecot.password);
    mailport = await startService();
    await cp(reference, mailport.maildir, {
      recursive: true,
      preserveTimestamps: true,
      force: true,
    });
    ours = await session(mailport.ports.imap, mailport.user, mailport.password);
  });

  afterAll(async () => {
    theirs?.close();
    ours?.close();
    await dovecot?.stop();
    await mailport?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    'RFC822.SIZE',
    'INTERNALDATE',
    'ENVELOPE',
    'BODYSTRUCTURE',
    'BODY',
    'BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)]',
    'BODY.PEEK[HEADER.FIELDS.NOT (RECEIVED)]',
    'BODY.PEEK[1.MIME]',
    'BODY.PEEK[TEXT]<0.100>',
    'BODY.PEEK[1]',
    'BODY.PEEK[2]',
  ])('FETCH %s', async (item) => {
    const a = byUid((await theirs.imap('f', `UID FETCH 1:* (UID ${item})`)).untagged);
    const b = byUid((await ours.imap('f', `UID FETCH 1:* (UID ${item})`)).untagged);
    expect(b.size).toBe(a.size);
    expect(a.size).toBe(COUNT);
    const differences: string[] = [];
    for (const [uid, response] of a) {
      if (b.get(uid) !== response && !ALLOWED.has(item)) {
        differences.push(
          `UID ${uid}\n  dovecot:  ${JSON.stringify(response)}\n  mailport: ${JSON.stringify(b.get(uid))}`,
        );
      }
    }
    expect(differences.slice(0, 6).join('\n'), `${differences.length} differences`).toBe('');
  });

  it.each([
    'ALL',
    'SEEN',
    'UNSEEN',
    'FLAGGED',
    'ANSWERED',
    'NOT SEEN',
    'OR FLAGGED ANSWERED',
    'LARGER 5000',
    'SMALLER 1000',
    'SUBJECT meeting',
    'SUBJECT "#12"',
    'SUBJECT café',
    'FROM alice',
    'FROM Jürgen',
    'TO me@example.com',
    'HEADER Message-ID m42.1234',
    'HEADER Content-Type mixed',
    'BODY lunch',
    'BODY naïve',
    'TEXT invoice',
    'TEXT alice',
    'SENTSINCE 3-Jan-2024',
    'SENTBEFORE 20-Nov-2023',
    'SENTON 15-Nov-2023',
    'UID 5:20',
    '1:10',
    'NOT UID 1:*',
  ])('SEARCH %s', async (criteria) => {
    const charset = /[^\x20-\x7e]/.test(criteria) ? 'CHARSET UTF-8 ' : '';
    const query = criteria.replace(
      /\S*[^\x20-\x7e]\S*/g,
      (w) => `{${Buffer.byteLength(w)}+}\r\n${w}`,
    );
    const send = async (c: LineClient) => {
      c.send(Buffer.from(`q UID SEARCH ${charset}${query}\r\n`, 'utf8'));
      const r = await c.imapUntil('q');
      expect(r.tagged).toMatch(/^q OK/);
      return r.untagged.filter((l) => l.startsWith('* SEARCH'));
    };
    const [a, b] = [await send(theirs), await send(ours)];
    const setA = new Set(a[0]!.split(' ').slice(2));
    const setB = new Set(b[0]!.split(' ').slice(2));
    const onlyDovecot = [...setA].filter((x) => !setB.has(x));
    const onlyMailport = [...setB].filter((x) => !setA.has(x));
    expect({ onlyDovecot, onlyMailport }).toEqual({ onlyDovecot: [], onlyMailport: [] });
  });

  it('STATUS', async () => {
    // LIST is not compared: Mailport creates the special-use folders at login, Dovecot (as set
    // up here) does not.
    for (const command of ['STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)']) {
      const a = (await theirs.imap('x', command)).untagged;
      const b = (await ours.imap('x', command)).untagged;
      expect(b, command).toEqual(a);
    }
  });
});
