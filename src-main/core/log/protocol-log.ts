/**
 * Protocol logs, one file per listener (as Exchange's POP3/IMAP protocol logging):
 * `<data dir>/logs/<listener>.log`, JSON lines with the session, the client, the direction and
 * the line. Sessions redact passwords and AUTH payloads before a line gets here (see
 * `redactCommand`); only the first line of a response is kept, never message bodies.
 */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { LISTENER_NAMES, type ListenerName } from '../config/schema.js';
import { rotateLog } from './rotate.js';

export class ProtocolLogs {
  readonly #dir: string;
  readonly #open = new Map<ListenerName, Logger>();

  constructor(logsDir: string) {
    this.#dir = logsDir;
  }

  static fileName(logsDir: string, listener: ListenerName): string {
    return join(logsDir, `${listener}.log`);
  }

  /** At start: files over the size limit are rotated, as the app log is. */
  async rotate(): Promise<void> {
    for (const name of LISTENER_NAMES) await rotateLog(ProtocolLogs.fileName(this.#dir, name));
  }

  /** The logger for one session of `listener`; the file is opened on first use. */
  forSession(listener: ListenerName, session: { id: number; remoteAddress: string }): Logger {
    let log = this.#open.get(listener);
    if (!log) {
      const file = ProtocolLogs.fileName(this.#dir, listener);
      log = pino(
        { base: { listener }, timestamp: pino.stdTimeFunctions.isoTime },
        pino.destination({ dest: file, mkdir: true, sync: false }),
      );
      this.#open.set(listener, log);
    }
    return log.child({ session: session.id, remote: session.remoteAddress });
  }

  /** Writes out what is buffered; called on stop. */
  flush(): void {
    for (const log of this.#open.values()) log.flush();
  }
}
