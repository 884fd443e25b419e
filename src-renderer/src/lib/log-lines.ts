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
    return {
      key: `${index}:${String(entry.time)}`,
      time: typeof entry.time === 'number' ? TIME.format(entry.time) : '',
      level: PINO_LEVELS[Number(entry.level)] ?? 'info',
      component: typeof entry.component === 'string' ? entry.component : '',
      message: `${String(entry.msg ?? '')}${details(entry)}${problem(entry)}`,
    };
  } catch {
    return { key: `${index}`, time: '', level: 'info', component: '', message: raw };
  }
}

/** Who and where: " (imaps · listening · :: · port 10993)". */
function details(entry: Record<string, unknown>): string {
  const err = entry.err as { message?: string } | undefined;
  const port = typeof entry.port === 'number' ? `port ${entry.port}` : undefined;
  const parts = [
    entry.listener,
    entry.status,
    entry.address,
    port,
    entry.user ?? entry.account,
    entry.remote ?? entry.remoteAddress,
    err?.message,
  ].filter((v) => typeof v === 'string' && v);
  return parts.length ? ` (${parts.join(' · ')})` : '';
}

/** What went wrong and what to do, as the line says it: ": error. To fix it: remedy". */
function problem(entry: Record<string, unknown>): string {
  const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
  const error = text(entry.error) || text(entry.reason);
  const remedy = text(entry.remedy);
  return `${error ? `: ${error}` : ''}${remedy ? ` To fix it: ${remedy}` : ''}`;
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
