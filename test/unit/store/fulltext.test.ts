/**
 * The full-text index's segments (issue 16), built and merged in-process by the functions the
 * worker thread runs, over message files in a temporary folder: the index never leaves out a
 * message the matcher finds; BODY ignores header words; a merge keeps every message once; a
 * damaged file is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { allHeaderText, bodyText, containsText } from '../../../src-main/core/mime/search-text.js';
import { parseMessage } from '../../../src-main/core/mime/structure.js';
import { crlfLength } from '../../../src-main/core/store/crlf.js';
import {
  buildSegment,
  mergeSegments,
} from '../../../src-main/core/store/fulltext/segment-build.js';
import { loadSegment } from '../../../src-main/core/store/fulltext/segment-reader.js';
import { Segment } from '../../../src-main/core/store/fulltext/segment.js';
import {
  FolderTextIndex,
  type TextIndexBuilt,
} from '../../../src-main/core/store/fulltext/folder-text-index.js';
import { runTextJob } from '../../../src-main/core/store/fulltext/text-jobs.js';
import type { MailboxStatus, MessageRecord } from '../../../src-main/core/store/types.js';
import { queryFragments } from '../../../src-main/core/store/fulltext/terms.js';
import { rng } from '../../helpers/corpus.js';

const ALPHABET = [
  'a',
  'b',
  'É',
  'é',
  'e\u0301',
  'ß',
  'SS',
  '1',
  ' ',
  '.',
  '-',
  'ﬁ',
  'Σ',
  'ς',
  '😀',
];

let work: string | undefined;

afterEach(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  work = undefined;
});

function randomText(random: () => number, length: number): string {
  return Array.from({ length }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
}

/** Message files (LF line ends, as stored) in a new folder; their paths by UID. */
async function messages(texts: readonly { header: string; body: string }[]) {
  work ??= await mkdtemp(join(tmpdir(), 'mailport-fts-unit-'));
  const items: { uid: number; path: string }[] = [];
  for (const [i, t] of texts.entries()) {
    const path = join(work, `m${i + 1}`);
    await writeFile(
      path,
      `Subject: ${t.header}\nContent-Type: text/plain; charset=utf-8\n\n${t.body}\n`,
    );
    items.push({ uid: i + 1, path });
  }
  return items;
}

async function candidates(segment: Segment, needle: string, scope: 'text' | 'body', enough = 0) {
  const fragments = queryFragments(needle);
  if (!fragments) return undefined;
  const found = await segment.candidates(fragments, scope === 'body', enough);
  return found && [...found].sort((a, b) => a - b);
}

describe('full-text terms', () => {
  it('splits a search string into constrained fragments', () => {
    expect(queryFragments('quarterly reconciliation')).toEqual([
      { kind: 'suffix', text: 'quarterly' },
      { kind: 'prefix', text: 'reconciliation' },
    ]);
    expect(queryFragments('a.b.c')!.map((f) => f.kind)).toEqual(['suffix', 'whole', 'prefix']);
    expect(queryFragments(' Word ')).toEqual([{ kind: 'whole', text: 'word' }]);
    expect(queryFragments('INSIDE')).toEqual([{ kind: 'inside', text: 'inside' }]);
    expect(queryFragments('...')).toBeUndefined();
    expect(queryFragments('')).toBeUndefined();
  });
});

describe('full-text segments', () => {
  it('never leave out a message the matcher finds (random texts and needles)', async () => {
    const random = rng(16);
    const texts = Array.from({ length: 100 }, () => ({
      header: randomText(random, 30),
      body: randomText(random, 60),
    }));
    const items = await messages(texts);
    const segment = new Segment(buildSegment(join(work!, 'a.seg'), 1, items)!);
    // What the matcher searches, from the same files.
    const truth = await Promise.all(
      items.map(async ({ path }) => {
        const wire = Buffer.from((await readFile(path, 'utf8')).replace(/\n/g, '\r\n'));
        const root = parseMessage(wire);
        return { headers: allHeaderText(wire, root), body: bodyText(wire, root) };
      }),
    );
    let narrowed = 0;
    for (let n = 0; n < 400; n++) {
      const source = texts[Math.floor(random() * texts.length)]!;
      const whole = random() < 0.5 ? source.body : source.header;
      const start = Math.floor(random() * whole.length);
      const needle =
        random() < 0.8
          ? whole.slice(start, start + 1 + Math.floor(random() * 6))
          : randomText(random, 3);
      for (const scope of ['text', 'body'] as const) {
        const found = await candidates(segment, needle, scope);
        if (!found) continue;
        if (found.length < items.length) narrowed += 1;
        truth.forEach((t, i) => {
          const hit =
            containsText(t.body, needle) || (scope === 'text' && containsText(t.headers, needle));
          if (hit) expect(found, `${JSON.stringify(needle)} in ${i + 1}`).toContain(i + 1);
        });
      }
    }
    expect(narrowed).toBeGreaterThan(100);
  });

  it('narrow: BODY ignores header words, inner fragments must be whole words', async () => {
    const items = await messages([
      { header: 'quarterly report', body: 'nothing here' },
      { header: 'x', body: 'the quarterly reconciliation is done' },
      { header: 'y', body: 'reconciliations quarterlyish' },
    ]);
    const segment = new Segment(buildSegment(join(work!, 'a.seg'), 7, items)!);
    expect(await candidates(segment, 'quarterly', 'text')).toEqual([1, 2, 3]);
    expect(await candidates(segment, 'quarterly', 'body')).toEqual([2, 3]);
    expect(await candidates(segment, 'quarterly reconciliation', 'text')).toEqual([2]);
    expect(await candidates(segment, 'quarterly reconciliation', 'text', 32)).toEqual([2, 3]);
    expect(await candidates(segment, 'uarterl', 'text')).toEqual([1, 2, 3]);
    expect(await candidates(segment, 'ciliations', 'text')).toEqual([3]);
    expect(await candidates(segment, 'zebra', 'text')).toEqual([]);
  });

  it('merge into one segment holding every message once', async () => {
    const items = await messages([
      { header: 'one', body: 'apple banana' },
      { header: 'two', body: 'banana cherry' },
      { header: 'three', body: 'cherry apple' },
    ]);
    const a = buildSegment(join(work!, 'a.seg'), 5, items.slice(0, 2))!;
    const b = buildSegment(join(work!, 'b.seg'), 5, items.slice(1))!; // UID 2 in both
    const result = mergeSegments(join(work!, 'm.seg'), [a.file, b.file]);
    expect('parts' in result).toBe(true);
    const merged = new Segment(
      (result as { parts: ConstructorParameters<typeof Segment>[0] }).parts,
    );
    expect(merged.coveredCount).toBe(3);
    expect(await candidates(merged, 'banana', 'body')).toEqual([1, 2]);
    expect(await candidates(merged, 'cherry', 'body')).toEqual([2, 3]);
    expect(await candidates(merged, 'apple', 'text')).toEqual([1, 3]);
    expect(await candidates(merged, 'three', 'body')).toEqual([]);
    // The merged file reads back as the same segment.
    expect(loadSegment(join(work!, 'm.seg'))!.parts.uids).toEqual(Uint32Array.from([1, 2, 3]));
  });

  it('refuse a damaged file', async () => {
    const items = await messages([{ header: 'Grüße', body: 'aus Köln 😀' }]);
    const file = join(work!, 'a.seg');
    const parts = buildSegment(file, 42, items)!;
    const segment = new Segment(parts);
    expect(segment.covers(1)).toBe(true);
    expect(await candidates(segment, 'köln', 'body')).toEqual([1]);
    const good = await readFile(file);
    expect(loadSegment(file)).toBeDefined();
    for (const damaged of [
      good.subarray(0, good.length - 1),
      Buffer.concat([good.subarray(0, 70), Buffer.from([good[70]! ^ 1]), good.subarray(71)]),
      Buffer.from('garbage'),
    ]) {
      await writeFile(file, damaged);
      expect(loadSegment(file)).toBeUndefined();
    }
    const merged = mergeSegments(join(work!, 'm.seg'), [file]);
    expect(merged).toEqual({ damaged: [file] });
  });
});

/** A full collection of the heap, as a test may ask for it. */
async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRefs are kept for one turn
  gc();
}

/** Each message's size on the wire (CRLF line ends), as a sync reports it. */
async function wireSizes(items: readonly { path: string }[]): Promise<number[]> {
  return Promise.all(items.map(async ({ path }) => crlfLength(await readFile(path))));
}

describe('the full-text index of a folder', () => {
  it('lets a sync’s message list go once its build took it, and still narrows', async () => {
    const items = await messages([
      { header: 'ledger', body: 'quarterly reconciliation' },
      { header: 'lunch', body: 'sandwiches' },
    ]);
    const sizes = await wireSizes(items);
    let built: (b: TextIndexBuilt) => void = () => undefined;
    const done = new Promise<TextIndexBuilt>((resolve) => (built = resolve));
    const index = new FolderTextIndex({
      mailbox: 'INBOX',
      dir: join(work!, 'index'),
      paths: (uids) => items.filter((i) => uids.includes(i.uid)),
      onBuilt: (b) => built(b),
      builder: { available: true, run: async (job) => runTextJob(job) }, // in this process
    });
    // The sync's status, held by nothing else once handed over (as with a released folder).
    const list = ((): WeakRef<readonly MessageRecord[]> => {
      const messages = items.map(({ uid }, i) => ({
        uid,
        size: sizes[i]!,
        flags: new Set<string>(),
        internalDate: new Date(),
        modseq: 1,
      }));
      const status: MailboxStatus = { uidValidity: 7, uidNext: 3, highestModseq: 1, messages };
      index.update(status);
      return new WeakRef(messages);
    })();
    expect((await done).covered).toBe(2);
    await collectGarbage();
    expect(list.deref()).toBeUndefined();
    const filter = await index.filter('reconciliation', 'text');
    expect([filter!.mayContain(1, sizes[0]!), filter!.mayContain(2, sizes[1]!)]).toEqual([
      true,
      false,
    ]);
    index.close();
  });
});
