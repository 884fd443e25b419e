/**
 * The Logs screen: the service's recent log lines (pino JSON), fetched again every few seconds
 * while the screen is open, filtered by level and text.
 */
import type { MailportBridge } from '../bridge.js';
import { Action } from './action.svelte.js';
import { filterLines, parseLine, type LevelName, type LogLine } from '../lib/log-lines.js';

const POLL_MS = 2000;
const LINES = 1000;

export class LogsState {
  lines = $state<LogLine[]>([]);
  minLevel = $state<LevelName>('info');
  text = $state('');
  readonly load = new Action();
  readonly #bridge: MailportBridge;
  #timer: ReturnType<typeof setInterval> | undefined;

  readonly shown = $derived(filterLines(this.lines, this.minLevel, this.text));

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
