/** `mailport logs [-f]`: the app log as readable lines; -f keeps following it. */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dataPaths } from '../core/config/paths.js';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** One JSON log line as a person reads it; other lines pass through. */
export function formatLogLine(line: string): string {
  try {
    const {
      time,
      level,
      msg,
      app: _app,
      pid: _pid,
      hostname: _host,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    const extra = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${new Date(Number(time)).toISOString()} ${LEVELS[Number(level)] ?? level} ${String(msg ?? '')}${extra ? ` ${extra}` : ''}`;
  } catch {
    return line;
  }
}

export async function logsCommand(dataDir: string, follow: boolean, lines = 200): Promise<number> {
  const { logFile } = dataPaths(dataDir);
  const text = await readFile(logFile, 'utf8').catch(() => '');
  if (!text && !follow) {
    console.log(`No log yet (${logFile}).`);
    return 0;
  }
  for (const line of text.split('\n').filter(Boolean).slice(-lines))
    console.log(formatLogLine(line));
  if (!follow) return 0;
  let offset = Buffer.byteLength(text);
  let partial = '';
  for (;;) {
    await sleep(500);
    const size = await stat(logFile).then(
      (s) => s.size,
      () => 0,
    );
    if (size < offset) offset = 0; // rotated
    if (size === offset) continue;
    for await (const chunk of createReadStream(logFile, { start: offset, end: size - 1 })) {
      partial += String(chunk);
    }
    offset = size;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete.filter(Boolean)) console.log(formatLogLine(line));
  }
}
