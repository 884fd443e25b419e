/** Mailport's log lines (pino JSON) in the window's words, and the Logs screen's filter. */

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LevelName = (typeof LEVELS)[number];

export interface LogLine {
  readonly key: string;
  readonly time: string;
  readonly level: LevelName;
  readonly component: string;
  readonly message: string;
}

const PINO_LEVELS: Record<number, LevelName> = {
  10: 'debug',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'error',
};

const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function parseLine(raw: string, index: number): LogLine {
  try {
    const entry = JSON.parse(raw) as Record<string, unknown>;
    const err = entry.err as { message?: string } | undefined;
    const extra = [
      entry.listener,
      entry.user ?? entry.account,
      entry.remote ?? entry.remoteAddress,
      err?.message,
    ]
      .filter((v) => typeof v === 'string' && v)
      .join(' · ');
    return {
      key: `${index}:${String(entry.time)}`,
      time: typeof entry.time === 'number' ? TIME.format(entry.time) : '',
      level: PINO_LEVELS[Number(entry.level)] ?? 'info',
      component: typeof entry.component === 'string' ? entry.component : '',
      message: `${String(entry.msg ?? '')}${extra ? ` (${extra})` : ''}`,
    };
  } catch {
    return { key: `${index}`, time: '', level: 'info', component: '', message: raw };
  }
}

export function filterLines(lines: LogLine[], minLevel: LevelName, text: string): LogLine[] {
  const floor = LEVELS.indexOf(minLevel);
  const needle = text.trim().toLowerCase();
  return lines.filter(
    (l) =>
      LEVELS.indexOf(l.level) >= floor &&
      (!needle || `${l.component} ${l.message}`.toLowerCase().includes(needle)),
  );
}
