/**
 * A folder's listing kept between syncs (`store/maildir/listing.ts`), on real directories:
 * each refresh reports exactly what changed on disk since the last one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderListing } from '../../../src-main/core/store/maildir/listing.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-listing-'));
  for (const sub of ['new', 'cur', 'tmp']) await mkdir(join(root, sub));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const put = (path: string) => writeFile(join(root, path), 'x\n');
const names = (l: readonly { dir: string; fileName: string }[]) =>
  l.map((x) => `${x.dir}/${x.fileName}`).sort();
const view = (listing: FolderListing) =>
  [...listing.byBase].map(([base, l]) => `${base}=${l.dir}/${l.fileName}`).sort();

describe('FolderListing', () => {
  it('reports added, renamed and removed files, and nothing when nothing changed', async () => {
    await put('cur/1.M1P1.h:2,');
    await put('new/2.M1P1.h');
    await put('cur/.hidden');
    const listing = new FolderListing(root);
    const first = await listing.refresh();
    expect(names(first.added)).toEqual(['cur/1.M1P1.h:2,', 'new/2.M1P1.h']);
    expect(first.removed).toEqual([]);
    expect(await listing.refresh()).toEqual({ added: [], removed: [] });

    await rename(join(root, 'cur/1.M1P1.h:2,'), join(root, 'cur/1.M1P1.h:2,FS'));
    await rename(join(root, 'new/2.M1P1.h'), join(root, 'cur/2.M1P1.h:2,'));
    await put('new/3.M1P1.h');
    await unlink(join(root, 'cur/1.M1P1.h:2,FS'));
    const second = await listing.refresh();
    expect(names(second.added)).toEqual(['cur/2.M1P1.h:2,', 'new/3.M1P1.h']);
    expect(names(second.removed)).toEqual(['cur/1.M1P1.h:2,', 'new/2.M1P1.h']);
    expect(view(listing)).toEqual(['2.M1P1.h=cur/2.M1P1.h:2,', '3.M1P1.h=new/3.M1P1.h']);
  });

  it('serves a base found in both new/ and cur/ from cur/, and from new/ once cur/ loses it', async () => {
    await put('new/5.M1P1.h');
    const listing = new FolderListing(root);
    await listing.refresh();
    await put('cur/5.M1P1.h:2,S');
    await listing.refresh();
    expect(view(listing)).toEqual(['5.M1P1.h=cur/5.M1P1.h:2,S']);
    await unlink(join(root, 'cur/5.M1P1.h:2,S'));
    await listing.refresh();
    expect(view(listing)).toEqual(['5.M1P1.h=new/5.M1P1.h']);
  });

  it('starts over after reset, and keeps its state when a directory is gone', async () => {
    await put('cur/1.M1P1.h:2,');
    const listing = new FolderListing(root);
    await listing.refresh();
    listing.reset();
    expect(names((await listing.refresh()).added)).toEqual(['cur/1.M1P1.h:2,']);
    await rm(join(root, 'cur'), { recursive: true });
    await expect(listing.refresh()).rejects.toThrow(/ENOENT/);
    expect(view(listing)).toEqual(['1.M1P1.h=cur/1.M1P1.h:2,']);
  });
});
