/**
 * A Maildir shared with other programs, served by the real `mailport serve`: a desktop client
 * and a delivery agent change it while an IMAP client watches (issue 14).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { ImapModel } from '../../helpers/imap-model.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const MUTATOR = resolve(import.meta.dirname, '../../helpers/maildir-mutator.mjs');
const PASSWORD = 'correct horse battery';

let work: string;
let maildir: string;
let server: RunningMailport | undefined;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-shared-'));
  maildir = join(work, 'Maildir');
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await rm(work, { recursive: true, force: true });
});

/** `count` messages in cur/, each with its own Message-ID. */
export async function seedMaildir(dir: string, count: number): Promise<void> {
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(dir, sub), { recursive: true });
  for (let i = 1; i <= count; i++) {
    const body = `Message-ID: <seed-${i}@test>\nSubject: seed ${i}\n\nseed ${i}\n`;
    await writeFile(join(dir, 'cur', `1700000000.M${i}P1.seed:2,`), body);
  }
}

export interface MutatorResult {
  ops: number;
  delivered: string[];
  deleted: string[];
  added: Record<string, string>;
}

/** Runs the other program for `durationMs`; resolves with what it did. */
export function runMutator(
  dir: string,
  durationMs: number,
  seed: number,
  deletes: boolean,
): Promise<MutatorResult> {
  const child = spawn(
    process.execPath,
    [MUTATOR, dir, String(durationMs), String(seed), deletes ? '1' : '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((res, rej) => {
    child.once('exit', (code) =>
      code === 0 ? res(JSON.parse(out) as MutatorResult) : rej(new Error(`mutator: ${code}`)),
    );
  });
}

export async function selectInbox(port: number): Promise<LineClient> {
  const client = await LineClient.connect(port);
  await client.line();
  expect((await client.imap('a', `LOGIN tester "${PASSWORD}"`)).tagged).toMatch(/^a OK/);
  return client;
}

describe('sequence numbers while another program changes the Maildir', () => {
  it('never shifts: no message vanishes, reappears or appears below a known UID', async () => {
    await seedMaildir(maildir, 1200); // several getdents() calls per listing of cur/
    server = await runMailport(await setUpMailport(maildir));
    const client = await selectInbox(server.ports.imap);
    const model = new ImapModel();
    expect(await model.run(client, 's', 'SELECT INBOX')).toMatch(/^s OK/);
    await model.fetchAll(client, 'f0');

    let done = false;
    const mutator = runMutator(maildir, 8_000, 14, false).finally(() => (done = true));
    const refused: string[] = [];
    try {
      for (let round = 1; !done && round < 10_000; round++) {
        await model.run(client, `n${round}`, 'NOOP');
        const tagged = await model.fetchAll(client, `f${round}`);
        if (!/^f\d+ OK/.test(tagged)) refused.push(tagged);
      }
    } finally {
      await mutator.catch(() => undefined);
    }
    const result = await mutator;
    await model.run(client, 'n', 'NOOP');
    await model.fetchAll(client, 'f');
    client.close();

    expect(model.problems).toEqual({ seqMismatches: [], uidReuse: [], appearedBelow: [] });
    expect(refused).toEqual([]); // no message was missing when fetched
    expect(model.expunges).toBe(0); // nothing was deleted
    expect(model.uids).toHaveLength(1200 + result.delivered.length);
    for (const id of result.delivered) expect(model.uidByMessageId.has(id)).toBe(true);
  });
});
