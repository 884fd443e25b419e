/**
 * The outgoing queue's crash recovery on a real folder: what a crash at each step leaves, and
 * what opening the queue again makes of it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SubmissionQueue } from '../../../src-main/core/submission/queue.js';

let root: string;
const envelope = { account: 'me@example.org', from: 'me@example.org', to: ['a@example.net'] };
const list = (folder: string) => readdir(join(root, folder)).then((n) => n.sort());

beforeEach(async () => {
  root = join(await mkdtemp(join(tmpdir(), 'mailport-queue-')), 'queue');
});
afterEach(async () => {
  await rm(join(root, '..'), { recursive: true, force: true });
});

describe('SubmissionQueue', () => {
  it('keeps an accepted message and its record, and removes them together', async () => {
    const queue = new SubmissionQueue(root);
    await queue.open();
    const entry = await queue.add(Buffer.from('Subject: x\r\n\r\nbody\r\n'), envelope);
    expect(await list('messages')).toEqual([`${entry.id}.eml`]);
    expect(await list('ready')).toEqual([`${entry.id}.json`]);
    expect(await queue.summary()).toEqual({ count: 1, oldest: entry.queuedAt });
    await queue.remove(entry.id);
    expect(await list('messages')).toEqual([]);
    expect(await queue.summary()).toEqual({ count: 0 });
  });

  it('sends again what a crash left in sending/ (the one at-least-once point)', async () => {
    const queue = new SubmissionQueue(root);
    await queue.open();
    const entry = await queue.add(Buffer.from('m'), envelope);
    await queue.startSending(entry.id);
    expect(await list('ready')).toEqual([]);
    const done = await new SubmissionQueue(root).open();
    expect(done).toEqual([]);
    expect(await list('ready')).toEqual([`${entry.id}.json`]);
    expect(await list('sending')).toEqual([]);
  });

  it('never sends again what the relay accepted: done/ is handed back to finish', async () => {
    const queue = new SubmissionQueue(root);
    await queue.open();
    const entry = await queue.add(Buffer.from('m'), envelope);
    await queue.startSending(entry.id);
    await queue.relayed(entry.id);
    const done = await new SubmissionQueue(root).open();
    expect(done.map((e) => e.id)).toEqual([entry.id]);
    expect(await new SubmissionQueue(root).waiting()).toEqual([]);
  });

  it('drops what a crash before 250 left: a message without a record, and tmp/', async () => {
    const queue = new SubmissionQueue(root);
    await queue.open();
    const entry = await queue.add(Buffer.from('m'), envelope);
    await rename(join(root, 'ready', `${entry.id}.json`), join(root, 'half-written.json'));
    await writeFile(join(root, 'tmp', 'partial.eml'), 'partial');
    await new SubmissionQueue(root).open();
    expect(await list('messages')).toEqual([]);
    expect(await list('tmp')).toEqual([]);
  });

  it('keeps the newer record when a crash left one in ready/ and one in sending/', async () => {
    const queue = new SubmissionQueue(root);
    await queue.open();
    const entry = await queue.add(Buffer.from('m'), envelope);
    await queue.startSending(entry.id);
    const retried = { ...entry, attempts: 1, lastError: '421 try later' };
    await writeFile(join(root, 'ready', `${entry.id}.json`), JSON.stringify(retried));
    await new SubmissionQueue(root).open();
    expect(await list('sending')).toEqual([]);
    expect(await queue.waiting()).toEqual([retried]);
    expect((await queue.summary()).lastError).toBe('421 try later');
  });
});
