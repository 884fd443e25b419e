/** The Mail screen: each account's Maildir and its folders, and indexing progress. */
import type { MailboxSummary } from '../../../src-main/core/control/api.js';
import type { MailportBridge, TimedEvent } from '../bridge.js';
import { Action } from './action.svelte.js';

export interface Progress {
  readonly task: string;
  readonly step: string;
  readonly done?: number;
  readonly total?: number;
  readonly at: string;
}

export class MailState {
  account = $state<string>('');
  mailboxes = $state<MailboxSummary[] | null>(null);
  /** The latest progress of each task (indexing…), as events report it. */
  progress = $state<Record<string, Progress>>({});
  readonly load = new Action();
  readonly #bridge: MailportBridge;

  readonly totals = $derived(
    (this.mailboxes ?? []).reduce(
      (t, m) => ({ messages: t.messages + m.messages, size: t.size + m.size }),
      { messages: 0, size: 0 },
    ),
  );

  constructor(bridge: MailportBridge) {
    this.#bridge = bridge;
  }

  async show(account: string): Promise<void> {
    this.account = account;
    this.mailboxes = null;
    if (!account) return;
    const boxes = await this.load.run(() => this.#bridge.listMailboxes({ account }));
    if (boxes && this.account === account) this.mailboxes = boxes;
  }

  onEvent(event: TimedEvent): void {
    if (event.type === 'progress') {
      const { task, step, done, total, at } = event;
      this.progress = { ...this.progress, [task]: { task, step, done, total, at } };
    } else if (event.type === 'new-mail' && event.account === this.account) {
      void this.show(this.account);
    }
  }
}
