/**
 * A log file that never passes its size limit, rotated while serving: no client can fill the
 * disk with log lines (each log takes at most `(keep + 1) × maxBytes`).
 *
 * Lines are gathered and appended once per turn of the event loop (one write call for a burst);
 * before a line that would take the file over the limit, the file is closed, shifted to `.1`
 * (`shiftLogFiles`) and a new one begun. The size is counted here, byte for byte, so the bound
 * holds exactly. A failing disk loses log lines, never the server: logging is best effort.
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_ROTATION, shiftLogFiles, type RotationLimits } from './rotate.js';

const openFiles = new Set<RotatingFile>();
let exitHookInstalled = false;

export class RotatingFile {
  readonly #path: string;
  readonly #limits: RotationLimits;
  #fd = -1;
  #size = 0;
  #pending: string[] = [];
  #scheduled = false;
  #closed = false;

  constructor(path: string, limits: RotationLimits = DEFAULT_ROTATION) {
    this.#path = path;
    this.#limits = limits;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      if (process.platform !== 'win32') chmodSync(dirname(path), 0o700); // logs/ of an older version
    } catch {
      // a folder someone else owns is left as it is
    }
    this.#open();
    openFiles.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => {
        for (const file of openFiles) file.flushSync();
      });
    }
  }

  /** pino's destination interface: one serialised line (or several) at a time. */
  write(chunk: string): boolean {
    if (this.#closed) return true;
    this.#pending.push(chunk);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flushSync());
    }
    return true;
  }

  flush(done?: (err?: Error) => void): void {
    this.flushSync();
    done?.();
  }

  flushSync(): void {
    this.#scheduled = false;
    const lines = this.#pending;
    this.#pending = [];
    let batch: Buffer[] = [];
    let batchBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.from(line);
      if (bytes.length > this.#limits.maxBytes) continue; // could never fit a file
      if (this.#size + batchBytes + bytes.length > this.#limits.maxBytes) {
        this.#append(Buffer.concat(batch));
        batch = [];
        batchBytes = 0;
        this.#rotate();
      }
      batch.push(bytes);
      batchBytes += bytes.length;
    }
    if (batchBytes > 0) this.#append(Buffer.concat(batch));
  }

  /** Writes what is pending and closes the file; later lines are dropped. */
  close(): void {
    this.flushSync();
    this.#closed = true;
    openFiles.delete(this);
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }

  #open(): void {
    try {
      this.#fd = openSync(this.#path, 'a', 0o600);
      this.#size = fstatSync(this.#fd).size;
    } catch {
      this.#fd = -1;
      return;
    }
    // Login events name accounts and addresses: the log is the user's alone, also when an
    // older version made it readable by others (a file someone else owns is left as it is).
    try {
      if (process.platform !== 'win32') fchmodSync(this.#fd, 0o600);
    } catch {
      // not ours to change
    }
  }

  #append(data: Buffer): void {
    if (this.#closed || data.length === 0) return;
    if (this.#fd < 0) this.#open(); // the folder may be back
    if (this.#fd < 0) return;
    try {
      for (let done = 0; done < data.length;)
        done += writeSync(this.#fd, data, done, data.length - done);
      this.#size += data.length;
    } catch {
      // disk full or the file vanished: these lines are lost, serving goes on
    }
  }

  #rotate(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    try {
      shiftLogFiles(this.#path, this.#limits.keep);
    } catch {
      // someone moved it already: start a new file anyway
    }
    this.#open();
  }
}
