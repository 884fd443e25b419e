/**
 * A Maildir shared with another program, for the tests of `test/integration/store`: seeded
 * messages with Message-IDs, the other program (`maildir-mutator.mjs`) and a logged-in client.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { LineClient } from './line-client.js';

const MUTATOR = resolve(import.meta.dirname, 'maildir-mutator.mjs');
const PASSWORD = 'correct horse battery';

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
