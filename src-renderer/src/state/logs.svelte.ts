/**
 * The Logs screen: the service's recent log lines (pino JSON), fetched again every few seconds
 * while the screen is open, filtered by level and text.
 */
import type { MailportBridge } from '../bridge.js';
import { Action } from './action.svelte.js';

const POLL_MS = 2000;
const LINES = 1000;
export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LevelName = (typeof LEVELS)[number];

export interface LogLine {
  readonly key: string;
  readonly time: string;
  readonly level: LevelName;
  readonly component: string;
  readonly message: string;
}

export class LogsState {
  lines = $state<LogLine[]>([]);
  minLevel = $state<LevelName>('info');
  text = $state('');
  readonly load = new Action();
  readonly #bridge: MailportBridge;
  #timer: ReturnType<typeof setInterval> | undefined;

  readonly shown = $derived(filter(this.lines, this.minLevel, this.text));

  constructor(bridge: MailportBridge) {
    this.#bridge = bridge;
  }

  async refresh(): Promise<void> {
    const result = await this.load.run(() => this.#bridge.getLogs({ limit: LINES }));
    if (result) this.lines = result.lines.map(parseLine);
  }

  /** Follows the log until the returned function is called (the screen closes). */
  follow(): () => void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), POLL_MS);
    return () => clearInterval(this.#timer);
  }
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

function filter(lines: LogLine[], minLevel: LevelName, text: string): LogLine[] {
  const floor = LEVELS.indexOf(minLevel);
  const needle = text.trim().toLowerCase();
  return lines.filter(
    (l) =>
      LEVELS.indexOf(l.level) >= floor &&
      (!needle || `${l.component} ${l.message}`.toLowerCase().includes(needle)),
  );
}
