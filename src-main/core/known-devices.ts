/**
 * The devices (client addresses) that have signed in to each account before, so the desktop
 * can say "a new device connected" once and not at every connection. Kept in
 * `<data dir>/devices.json`, replaced atomically; a lost or damaged file only means the next
 * sign-in from each device is announced again.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

type Seen = Record<string, string[]>;

export class KnownDevices {
  readonly #file: string;
  #seen: Seen = {};
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string) {
    this.#file = file;
  }

  static async open(file: string): Promise<KnownDevices> {
    const devices = new KnownDevices(file);
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (parsed && typeof parsed === 'object') {
        for (const [account, list] of Object.entries(parsed)) {
          if (Array.isArray(list))
            devices.#seen[account] = list.filter((a): a is string => typeof a === 'string');
        }
      }
    } catch {
      // Missing or damaged: start with nothing known.
    }
    return devices;
  }

  /** Records the sign-in; true when this address is new for this account. */
  remember(account: string, address: string): boolean {
    const list = (this.#seen[account] ??= []);
    if (list.includes(address)) return false;
    list.push(address);
    const snapshot = JSON.stringify(this.#seen, null, 2);
    this.#writing = this.#writing.then(() => this.#write(snapshot)).catch(() => undefined);
    return true;
  }

  /** Resolves when what was remembered so far is on disk. */
  flushed(): Promise<void> {
    return this.#writing;
  }

  async #write(text: string): Promise<void> {
    await mkdir(dirname(this.#file), { recursive: true });
    const temp = `${this.#file}.tmp-${process.pid}`;
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, this.#file);
  }
}
