/**
 * The files of a folder's new/ and cur/, kept between listings so that each listing also says
 * what changed since the one before. A sync of a large folder after one change then looks at
 * that change, not at every message again (a listing of 100,000 names is the part of a sync
 * no one can avoid; comparing every message with it was as costly again).
 *
 * `byBase` is the folder as the last listing saw it, by the part of each name before `:2,`.
 * A base found in both new/ and cur/ (a copy) is served from cur/, as a listing of new/ then
 * cur/ would have it.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { baseOf } from './filename.js';

export type Subdir = 'new' | 'cur';

export interface Listed {
  readonly dir: Subdir;
  readonly fileName: string;
}

export interface ListingChanges {
  /** Files the listing before did not have (a rename shows as one removed and one added). */
  readonly added: readonly Listed[];
  readonly removed: readonly Listed[];
}

interface Seen extends Listed {
  /** The number of the last listing that had this name. */
  listing: number;
}

const SUBDIRS: readonly Subdir[] = ['new', 'cur'];

export class FolderListing {
  readonly #path: string;
  readonly #seen: Record<Subdir, Map<string, Seen>> = { new: new Map(), cur: new Map() };
  #byBase = new Map<string, Listed>();
  #count = 0;
  /** A base was added that another file already had: rebuild `byBase` from scratch. */
  #ambiguous = false;
  /** Some base has two files: removing either may change which one serves it. */
  #duplicates = false;

  constructor(folderPath: string) {
    this.#path = folderPath;
  }

  /** The folder as last listed, by base. Read-only to callers; copy it to change it. */
  get byBase(): ReadonlyMap<string, Listed> {
    return this.#byBase;
  }

  /** Forgets everything: the next listing reports every file as added. */
  reset(): void {
    this.#seen.new.clear();
    this.#seen.cur.clear();
    this.#byBase = new Map();
    this.#duplicates = false;
  }

  /**
   * Lists new/ then cur/ and returns what changed since the last listing. Throws what readdir
   * throws (a folder removed meanwhile); the state is then as before.
   */
  async refresh(): Promise<ListingChanges> {
    const names: Record<Subdir, string[]> = { new: [], cur: [] };
    for (const dir of SUBDIRS) names[dir] = await readdir(join(this.#path, dir));
    const listing = ++this.#count;
    const added: Listed[] = [];
    const removed: Listed[] = [];
    for (const dir of SUBDIRS) {
      const seen = this.#seen[dir];
      for (const fileName of names[dir]) {
        if (fileName.startsWith('.')) continue;
        const known = seen.get(fileName);
        if (known) {
          known.listing = listing;
        } else {
          const fresh: Seen = { dir, fileName, listing };
          seen.set(fileName, fresh);
          added.push(fresh);
        }
      }
      for (const [fileName, known] of seen) {
        if (known.listing === listing) continue;
        seen.delete(fileName);
        removed.push(known);
      }
    }
    this.#apply(added, removed);
    return { added, removed };
  }

  #apply(added: readonly Listed[], removed: readonly Listed[]): void {
    if (this.#duplicates && removed.length > 0) this.#ambiguous = true;
    for (const gone of removed) {
      const base = baseOf(gone.fileName);
      if (this.#byBase.get(base) === gone) this.#byBase.delete(base);
      else this.#ambiguous = true; // another file had the base: which one serves it now?
    }
    for (const fresh of added) {
      const base = baseOf(fresh.fileName);
      if (this.#byBase.has(base)) this.#ambiguous = true;
      this.#byBase.set(base, fresh);
    }
    if (this.#ambiguous) this.#rebuild();
  }

  /** `byBase` from the names themselves: new/ first, then cur/ (cur/ wins a shared base). */
  #rebuild(): void {
    const byBase = new Map<string, Listed>();
    let files = 0;
    for (const dir of SUBDIRS) {
      for (const seen of this.#seen[dir].values()) byBase.set(baseOf(seen.fileName), seen);
      files += this.#seen[dir].size;
    }
    this.#byBase = byBase;
    this.#ambiguous = false;
    this.#duplicates = files > byBase.size;
  }
}
