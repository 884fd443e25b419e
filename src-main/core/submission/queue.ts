/**
 * The durable outgoing queue, in the data dir's `queue/` folder. A message is on disk and
 * fsynced before the client hears 250 (RFC 5321 §6.1: accepting a message takes on the duty
 * to deliver it). Layout:
 *
 *   tmp/        files being written (removed at start: their client never heard 250)
 *   messages/   <id>.eml, the bytes as the client sent them
 *   ready/      <id>.json, the envelope and retry state: waiting for an attempt
 *   sending/    <id>.json while the relay is being talked to
 *   done/       <id>.json once the relay said 250: only the copy to Sent is left to do
 *
 * The record's JSON is written last and is the commit: a message file without one is the
 * remains of a crash before 250 and is removed. Exactly once, except at one point: a crash
 * after the relay's 250 and before the rename from sending/ to done/ (one rename and one
 * folder fsync) leaves the record in sending/, and it is sent again after a restart.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeFileAtomic } from '../util/atomic-file.js';

export interface QueueEntry {
  readonly id: string;
  /** The account that submitted it (bounces and the copy to Sent go to its Maildir). */
  readonly account: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly queuedAt: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** Not tried again before this time (ISO). */
  readonly nextAttemptAt: string;
  readonly lastError?: string;
}

export interface QueueSummary {
  readonly count: number;
  /** When the oldest waiting message was accepted (ISO), if any. */
  readonly oldest?: string;
  /** The most recent failure of a message still waiting. */
  readonly lastError?: string;
}

const FOLDERS = ['tmp', 'messages', 'ready', 'sending', 'done'] as const;
type Folder = (typeof FOLDERS)[number];
const RECORD = '.json';
const MESSAGE = '.eml';
const ID = /^[0-9]{13}-[0-9a-f]{12}$/;

export class SubmissionQueue {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  /**
   * Creates the folders and settles what a crash left: records in sending/ go back to ready/
   * (to be sent again), message files without a record and anything in tmp/ are removed.
   * Returns the records in done/, whose copy to Sent is still to be made.
   */
  async open(): Promise<QueueEntry[]> {
    for (const folder of FOLDERS) await mkdir(this.#dir(folder), { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.#dir('tmp'))) await rm(join(this.#dir('tmp'), name));
    for (const id of await this.#ids('sending')) {
      const ready = (await this.#ids('ready')).includes(id);
      if (ready) await rm(this.#record('sending', id));
      else await rename(this.#record('sending', id), this.#record('ready', id));
    }
    await syncDirectory(this.#dir('ready'));
    const committed = new Set([...(await this.#ids('ready')), ...(await this.#ids('done'))]);
    for (const name of await readdir(this.#dir('messages'))) {
      if (!committed.has(name.slice(0, -MESSAGE.length)))
        await rm(join(this.#dir('messages'), name));
    }
    return this.#entries('done');
  }

  /** Writes the message and its record, each fsynced, before returning (then answer 250). */
  async add(
    message: Buffer,
    envelope: { account: string; from: string; to: readonly string[] },
  ): Promise<QueueEntry> {
    const now = new Date();
    const id = `${now.getTime()}-${randomBytes(6).toString('hex')}`;
    const temp = join(this.#dir('tmp'), `${id}${MESSAGE}`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(message);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.messagePath(id));
    await syncDirectory(this.#dir('messages'));
    const entry: QueueEntry = {
      id,
      ...envelope,
      to: [...envelope.to],
      queuedAt: now.toISOString(),
      attempts: 0,
      nextAttemptAt: now.toISOString(),
    };
    await this.#write('ready', entry);
    return entry;
  }

  /** Records waiting for an attempt, oldest first. */
  waiting(): Promise<QueueEntry[]> {
    return this.#entries('ready');
  }

  async summary(): Promise<QueueSummary> {
    const entries = [...(await this.#entries('ready')), ...(await this.#entries('sending'))];
    entries.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
    const failed = entries
      .filter((e) => e.lastError !== undefined)
      .sort((a, b) => b.nextAttemptAt.localeCompare(a.nextAttemptAt));
    return {
      count: entries.length,
      ...(entries[0] && { oldest: entries[0].queuedAt }),
      ...(failed[0]?.lastError !== undefined && { lastError: failed[0].lastError }),
    };
  }

  messagePath(id: string): string {
    return join(this.#dir('messages'), `${id}${MESSAGE}`);
  }

  /** ready/ → sending/: the relay is about to be asked. */
  startSending(id: string): Promise<void> {
    return this.#move(id, 'ready', 'sending');
  }

  /** sending/ → done/: the relay said 250. From here on the message is never sent again. */
  relayed(id: string): Promise<void> {
    return this.#move(id, 'sending', 'done');
  }

  /** A temporary failure: the record goes back to ready/ with its new retry state. */
  async retryLater(entry: QueueEntry): Promise<void> {
    await this.#write('ready', entry);
    await rm(this.#record('sending', entry.id), { force: true });
  }

  /** Removes a message and its record for good (copied to Sent, or bounced). */
  async remove(id: string): Promise<void> {
    for (const folder of ['sending', 'done', 'ready'] as const)
      await rm(this.#record(folder, id), { force: true });
    await rm(this.messagePath(id), { force: true });
  }

  #dir(folder: Folder): string {
    return join(this.#root, folder);
  }

  #record(folder: Folder, id: string): string {
    return join(this.#dir(folder), `${id}${RECORD}`);
  }

  async #move(id: string, from: Folder, to: Folder): Promise<void> {
    await rename(this.#record(from, id), this.#record(to, id));
    await syncDirectory(this.#dir(to));
    await syncDirectory(this.#dir(from));
  }

  async #write(folder: Folder, entry: QueueEntry): Promise<void> {
    await writeFileAtomic(this.#record(folder, entry.id), JSON.stringify(entry), { mode: 0o600 });
  }

  async #ids(folder: Folder): Promise<string[]> {
    const names = await readdir(this.#dir(folder));
    return names
      .filter((n) => n.endsWith(RECORD) && ID.test(n.slice(0, -RECORD.length)))
      .map((n) => n.slice(0, -RECORD.length))
      .sort();
  }

  async #entries(folder: Folder): Promise<QueueEntry[]> {
    const entries: QueueEntry[] = [];
    for (const id of await this.#ids(folder)) {
      try {
        entries.push(JSON.parse(await readFile(this.#record(folder, id), 'utf8')) as QueueEntry);
      } catch {
        // moved meanwhile (a delivery finished): not waiting any more
      }
    }
    return entries;
  }
}
