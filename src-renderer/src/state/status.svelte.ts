/** The Dashboard's data: getStatus, kept fresh by service events, and the recent events. */
import type { Status } from '../../../src-main/core/control/api.js';
import type { MailportBridge, TimedEvent } from '../bridge.js';

const RECENT_EVENTS = 30;
const REFRESH_DELAY_MS = 150;

export class StatusState {
  status = $state<Status | null>(null);
  /** Newest first, numbered. Progress events are left out: the Mail screen shows them. */
  recent = $state<{ seq: number; event: TimedEvent }[]>([]);
  #seq = 0;
  readonly #bridge: MailportBridge;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(bridge: MailportBridge) {
    this.#bridge = bridge;
  }

  /**
   * Bumped by every question and every status taken from elsewhere: a slow answer to an older
   * question must not overwrite a newer status (a switch would flip back on the Dashboard).
   */
  #generation = 0;

  async refresh(): Promise<void> {
    const asked = ++this.#generation;
    const status = await this.#bridge.getStatus({});
    if (asked === this.#generation) this.status = status;
  }

  /** Takes a status that came back with another answer (updateSettings). */
  set(status: Status): void {
    this.#generation += 1;
    this.status = status;
  }

  onEvent(event: TimedEvent): void {
    if (event.type === 'progress') return;
    // The Dashboard's queue section shows it; a line per attempt would crowd out the rest.
    if (event.type !== 'queue-changed')
      this.recent = [{ seq: ++this.#seq, event }, ...this.recent].slice(0, RECENT_EVENTS);
    if (event.type === 'new-mail') return;
    // Several events arrive together (a listener rebinding, a login): one refresh for them.
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh().catch(() => undefined), REFRESH_DELAY_MS);
  }
}
