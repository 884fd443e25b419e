/**
 * `settings.json` through lowdb, with an adapter that validates every read against the schema
 * and replaces the file atomically (temp file, fsync, rename) on every write. A file that does
 * not parse or does not validate is refused with the key and the problem, copied aside once
 * for the user, and never overwritten.
 */
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { writeFileAtomic } from '../util/atomic-file.js';
import { describeIssues, settingsSchema, type Settings } from './schema.js';

export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(
    message: string,
    readonly backup?: string,
  ) {
    super(message);
  }
}

class ValidatedJsonFile implements Adapter<Settings> {
  constructor(readonly path: string) {}

  async read(): Promise<Settings | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new SettingsError(`Cannot read ${this.path}: ${(err as Error).message}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw await this.#refuse(`it is not valid JSON (${(err as Error).message})`);
    }
    const result = settingsSchema.safeParse(data);
    if (!result.success) throw await this.#refuse(`\n${describeIssues(result.error)}`);
    return result.data;
  }

  async write(data: Settings): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // Holds password hashes: readable by the user alone.
    await writeFileAtomic(this.path, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  }

  async #refuse(problem: string): Promise<SettingsError> {
    let kept = '';
    let backup = await this.#existingCopy();
    try {
      if (!backup) {
        backup = `${this.path}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await copyFile(this.path, backup);
      }
      kept = ` A copy was saved as ${backup}.`;
    } catch {
      // The original stays where it is; the copy is only a courtesy.
    }
    return new SettingsError(
      `${this.path} was not loaded and has not been changed: ${problem}\n` +
        `Fix the file (or move it away to start with defaults).${kept}`,
      kept ? backup : undefined,
    );
  }

  /** A copy saved before with the same bytes: every run against one damaged file keeps one. */
  async #existingCopy(): Promise<string | undefined> {
    const prefix = `${basename(this.path)}.invalid-`;
    try {
      const current = await readFile(this.path);
      const copies = (await readdir(dirname(this.path))).filter((n) => n.startsWith(prefix));
      for (const name of copies.sort().reverse()) {
        const copy = join(dirname(this.path), name);
        if ((await readFile(copy)).equals(current)) return copy;
      }
    } catch {
      // No copy to reuse: a new one is made.
    }
    return undefined;
  }
}

export class SettingsStore {
  readonly path: string;
  readonly #db: Low<Settings>;
  #mtimeMs = 0;

  private constructor(path: string) {
    this.path = path;
    this.#db = new Low(new ValidatedJsonFile(path), settingsSchema.parse({}));
  }

  /** Opens the settings; a missing file means defaults (written on the first change). */
  static async open(path: string): Promise<SettingsStore> {
    const store = new SettingsStore(path);
    await store.#read();
    return store;
  }

  get current(): Settings {
    return structuredClone(this.#db.data);
  }

  /** True when the file exists on disk. */
  async exists(): Promise<boolean> {
    return (await this.#mtime()) !== 0;
  }

  /**
   * Applies `change` to the newest settings on disk, validates the result and writes it.
   * On a validation error nothing is written and a SettingsError names the keys.
   */
  async update(change: (draft: Settings) => void): Promise<Settings> {
    await this.#read();
    const draft = structuredClone(this.#db.data);
    change(draft);
    const result = settingsSchema.safeParse(draft);
    if (!result.success) throw new SettingsError(describeIssues(result.error));
    this.#db.data = result.data;
    await this.#db.write();
    this.#mtimeMs = await this.#mtime();
    return this.current;
  }

  /** Re-reads the file if another process changed it; returns true if it did. */
  async reloadIfChanged(): Promise<boolean> {
    if ((await this.#mtime()) === this.#mtimeMs) return false;
    await this.#read();
    return true;
  }

  async #read(): Promise<void> {
    this.#mtimeMs = await this.#mtime();
    await this.#db.read();
    this.#db.data ??= settingsSchema.parse({});
  }

  async #mtime(): Promise<number> {
    try {
      return (await stat(this.path)).mtimeMs;
    } catch {
      return 0;
    }
  }
}
