/**
 * Soak: IMAP clients on a Maildir that another program keeps changing (deliveries, new/ → cur/
 * moves, flag renames, deletions), against the real `mailport serve`. After every sync the
 * clients check each message's UID against the Message-ID they know it by.
 *
 * MAILPORT_SOAK_MS sets how long the other program runs (default 20 s). A long run, e.g. ten
 * minutes before a release:
 *
 *   MAILPORT_SOAK_MS=600000 npx vitest run --project integration \
 *     test/integration/store/soak.test.ts --testTimeout 900000
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapModel } from '../../helpers/imap-model.js';
import { rng } from '../../helpers/corpus.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';
import { parseUidList } from '../../../src-main/core/store/maildir/uidlist.js';
import { runMutator, seedMaildir, selectInbox } from '../../helpers/shared-maildir.js';

const SOAK_MS = Number(process.env.MAILPORT_SOAK_MS ?? 20_000);
/** Rounds are bounded too, whatever the duration. */
const MAX_ROUNDS = 1_000_000;

let work: string;
let maildir: string;
let server: RunningMailport;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-soak-'));
  maildir = join(work, 'Maildir');
  await seedMaildir(maildir, 800);
  server = await runMailport(await setUpMailport(maildir));
});
afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('soak: a Maildir changed underneath while clients work', () => {
  it(
    'shows 0 sequence/UID mismatches, 0 reused UIDs and 0 lost flags',
    { timeout: SOAK_MS + 120_000 },
    async () => {
      let done = false;
      const mutator = runMutator(maildir, SOAK_MS, 1414, true).finally(() => (done = true));
      const watcher = await selectInbox(server.ports.imap);
      const flagger = await selectInbox(server.ports.imap);
      const watched = new ImapModel();
      const flagging = new ImapModel();
      expect(await watched.run(watcher, 's', 'SELECT INBOX')).toMatch(/OK/);
      expect(await flagging.run(flagger, 's', 'SELECT INBOX')).toMatch(/OK/);
      await flagging.fetchAll(flagger, 'f0');
      const random = rng(14);
      /** UIDs the flagging client set \Flagged on (the other program never touches F). */
      const flagged = new Set<number>();
      let appended = 0;
      try {
        const watch = async (): Promise<void> => {
          for (let round = 1; !done && round < MAX_ROUNDS; round++) {
            await watched.run(watcher, `n${round}`, 'NOOP');
            await watched.fetchAll(watcher, `f${round}`);
          }
        };
        const flag = async (): Promise<void> => {
          for (let round = 1; !done && round < MAX_ROUNDS; round++) {
            const known = flagging.uids.filter((u): u is number => u !== undefined);
            const uid = known[Math.floor(random() * known.length)];
            if (uid !== undefined) {
              const reply = await flagging.run(
                flagger,
                `u${round}`,
                `UID STORE ${uid} +FLAGS (\\Flagged)`,
              );
              if (/ OK/.test(reply)) flagged.add(uid);
            }
            // From the first round on: a loaded machine may get through only a few rounds.
            if (round % 10 === 1) {
              const body = `Message-ID: <appended-${round}@test>\r\n\r\nx\r\n`;
              const reply = await flagger.imap(
                `a${round}`,
                `APPEND INBOX {${body.length}+}\r\n${body}`,
              );
              for (const line of reply.untagged) flagging.apply(line);
              if (/ OK/.test(reply.tagged)) appended += 1;
            }
            await flagging.run(flagger, `n${round}`, 'NOOP');
            await flagging.fetchAll(flagger, `f${round}`);
          }
        };
        await Promise.all([watch(), flag()]);
      } finally {
        await mutator.catch(() => undefined);
      }
      const result = await mutator;
      for (const [client, model] of [
        [watcher, watched],
        [flagger, flagging],
      ] as const) {
        await model.run(client, 'end', 'NOOP');
        await model.fetchAll(client, 'end2');
        client.close();
        expect(model.problems).toEqual({ seqMismatches: [], uidReuse: [], appearedBelow: [] });
      }
      expect(result.ops).toBeGreaterThan(100);
      expect(appended).toBeGreaterThan(0);

      // On disk: every UID once, ascending; every message present has one.
      const list = parseUidList(await readFile(join(maildir, 'dovecot-uidlist'), 'utf8'));
      const uids = list.records.map((r) => r.uid);
      expect(uids).toEqual([...new Set(uids)].sort((a, b) => a - b));
      const files = [
        ...(await readdir(join(maildir, 'cur'))),
        ...(await readdir(join(maildir, 'new'))),
      ];
      const byBase = new Map(files.map((f) => [f.split(':2,')[0]!, f.split(':2,')[1] ?? '']));
      const recorded = new Map(list.records.map((r) => [r.base, r.uid]));
      for (const base of byBase.keys()) expect(recorded.has(base), base).toBe(true);

      // No flag lost: the other program's letters and the client's \Flagged are all there.
      for (const [base, letters] of Object.entries(result.added)) {
        const now = byBase.get(base);
        if (now === undefined) continue; // deleted later by the other program
        for (const letter of letters) expect(now, base).toContain(letter);
      }
      const uidToBase = new Map(list.records.map((r) => [r.uid, r.base]));
      for (const uid of flagged) {
        const base = uidToBase.get(uid);
        if (base === undefined || !byBase.has(base)) continue; // deleted by the other program
        expect(byBase.get(base), `UID ${uid}`).toContain('F');
        expect(flagging.flags.get(uid), `UID ${uid}`).toContain('\\Flagged');
      }
    },
  );
});
