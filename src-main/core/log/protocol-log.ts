/**
 * Protocol logs, one file per listener (as Exchange's POP3/IMAP protocol logging):
 * `<data dir>/logs/<listener>.log`, JSON lines with the session, the client, the direction and
 * the line. Sessions redact passwords and AUTH payloads before a line gets here (see
 * `redactCommand`); only the first line of a response is kept, never message bodies.
 */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { LISTENER_NAMES, type ListenerName } from '../config/schema.js';
import { DEFAULT_ROTATION, rotateLog, type RotationLimits } from './rotate.js';
import { RotatingFile } from './rotating-file.js';

export class ProtocolLogs {
  readonly #dir: string;
  readonly #limits: RotationLimits;
  readonly #open = new Map<ListenerName, { log: Logger; file: RotatingFile }>();

  constructor(logsDir: string, limits: RotationLimits = DEFAULT_ROTATION) {
    this.#dir = logsDir;
    this.#limits = limits;
  }

  static fileName(logsDir: string, listener: ListenerName): string {
    return join(logsDir, `${listener}.log`);
  }

  /** At start: files over the size limit are rotated, as the app log is. */
  async rotate(): Promise<void> {
    for (const name of LISTENER_NAMES) {
      const path = ProtocolLogs.fileName(this.#dir, name);
      await rotateLog(path, this.#limits.maxBytes, this.#limits.keep);
    }
  }

  /**
   * The logger for one session of `listener`; the file is opened on first use and rotated by
   * size while serving.
   */
  forSession(listener: ListenerName, session: { id: number; remoteAddress: string }): Logger {
    let open = this.#open.get(listener);
    if (!open) {
      const file = new RotatingFile(ProtocolLogs.fileName(this.#dir, listener), this.#limits);
      const log = pino({ base: { listener }, timestamp: pino.stdTimeFunctions.isoTime }, file);
      open = { log, file };
      this.#open.set(listener, open);
    }
    return open.log.child({ session: session.id, remote: session.remoteAddress });
  }

  /** Writes out what is buffered; called on stop. */
  flush(): void {
    for (const { file } of this.#open.values()) file.flushSync();
  }
}
