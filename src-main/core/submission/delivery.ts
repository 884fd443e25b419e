/**
 * The delivery loop: takes queued messages whose time has come, one at a time, to the relay,
 * and settles each by the relay's answer: relayed (a copy to Sent, then removed), refused for
 * good (a bounce to INBOX, then removed) or a temporary failure (tried again later, with
 * exponential backoff: limits.ts). At start every waiting message is tried at once: a restart
 * is the usual moment the network or the relay came back.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import type { MaildirStore } from '../store/maildir/maildir-store.js';
import { bounceMessage } from './bounce.js';
import { DELIVERY_STOP_WAIT_MS, RELAY_MAX_ATTEMPTS, retryDelayMs } from './limits.js';
import { deliverToInbox, saveToSent } from './mailbox-copies.js';
import type { QueueEntry, SubmissionQueue } from './queue.js';
import { relayMessage, type Refusal, type RelayConfig } from './relay-client.js';

export interface DeliveryServices {
  readonly queue: SubmissionQueue;
  /** The relay as set now (password included), or undefined when none is configured. */
  readonly relay: () => Promise<RelayConfig | undefined>;
  /** The account's store, or undefined when the account is gone. */
  readonly storeFor: (account: string) => MaildirStore | undefined;
  readonly saveToSent: () => boolean;
  readonly hostName: string;
  readonly logger: Logger;
  /** Called after each attempt, whatever its outcome: the queue's summary may differ now. */
  readonly changed?: () => void;
}

export class RelayDelivery {
  readonly #services: DeliveryServices;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #againAll = false;
  #stopped = false;

  constructor(services: DeliveryServices) {
    this.#services = services;
  }

  /** Settles what a crash left and starts delivering. */
  async start(): Promise<void> {
    this.#stopped = false;
    const relayed = await this.#services.queue.open();
    for (const entry of relayed) await this.#finishRelayed(entry);
    this.kick(true);
  }

  /**
   * Runs the loop now (after a new message was queued, or the relay settings changed); `all`
   * also tries messages whose next attempt is not due yet. A kick during a run is kept for
   * right after it, `all` included: setRelay's retry follows applySettings' plain kick at
   * once and must not shrink into it (a corrected relay would then wait for the backoff).
   */
  kick(all = false): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      this.#againAll ||= all;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#run(all).finally(() => {
      this.#running = undefined;
      if (this.#again) {
        const againAll = this.#againAll;
        this.#again = false;
        this.#againAll = false;
        this.kick(againAll);
      }
    });
  }

  /**
   * Stops after the attempt under way, waiting for it at most DELIVERY_STOP_WAIT_MS: a relay
   * that hangs must not hold up quitting. An attempt cut short stays in sending/ and is tried
   * again at the next start.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DELIVERY_STOP_WAIT_MS);
    });
    await Promise.race([this.#running, waited]);
    clearTimeout(timer);
  }

  async #run(all: boolean): Promise<void> {
    const { queue, logger } = this.#services;
    try {
      const relay = await this.#services.relay();
      if (!relay) return; // nothing to send to until a relay is set (kick() comes then)
      for (const entry of await queue.waiting()) {
        if (this.#stopped) return;
        if (!all && Date.parse(entry.nextAttemptAt) > Date.now()) continue;
        try {
          await this.#attempt(entry, relay);
        } finally {
          this.#services.changed?.();
        }
      }
    } catch (err) {
      logger.error({ err }, 'submission queue: delivery loop failed');
    }
    await this.#scheduleNext();
  }

  async #scheduleNext(): Promise<void> {
    if (this.#stopped) return;
    const waiting = await this.#services.queue.waiting().catch(() => []);
    if (!waiting.length) return;
    const next = Math.min(...waiting.map((e) => Date.parse(e.nextAttemptAt)));
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.kick(), Math.max(0, next - Date.now())).unref();
  }

  async #attempt(entry: QueueEntry, relay: RelayConfig): Promise<void> {
    const { queue, logger } = this.#services;
    await queue.startSending(entry.id);
    let message: Buffer;
    try {
      message = await readFile(queue.messagePath(entry.id));
    } catch (err) {
      // Its file is gone (removed by hand): it can never be sent; say so once and forget it.
      logger.error({ err, id: entry.id, account: entry.account }, 'queued message file missing');
      await queue.remove(entry.id);
      return;
    }
    const outcome = await relayMessage(relay, entry, message);
    const log = { id: entry.id, account: entry.account, relay: relay.host };
    switch (outcome.kind) {
      case 'relayed':
        await queue.relayed(entry.id); // from here on never sent again
        logger.info({ ...log, response: outcome.response }, 'submission relayed');
        await this.#finishRelayed(entry, message);
        return;
      case 'partly':
        await queue.relayed(entry.id);
        logger.warn({ ...log, refused: outcome.refused.length }, 'submission partly refused');
        if (outcome.refused.length) await this.#bounce(entry, relay, message, outcome.refused);
        if (outcome.retry.length)
          await queue.add(message, { account: entry.account, from: entry.from, to: outcome.retry });
        await this.#finishRelayed(entry, message);
        return;
      case 'permanent':
        logger.warn({ ...log }, 'submission refused by the relay: bounced');
        await this.#bounce(entry, relay, message, withRecipients(outcome.refused, entry));
        await queue.remove(entry.id);
        return;
      case 'temporary':
        await this.#failedOnce(entry, relay, message, outcome.error);
    }
  }

  async #failedOnce(
    entry: QueueEntry,
    relay: RelayConfig,
    message: Buffer,
    error: string,
  ): Promise<void> {
    const attempts = entry.attempts + 1;
    this.#services.logger.warn({ id: entry.id, attempts, error }, 'submission not relayed yet');
    if (attempts < RELAY_MAX_ATTEMPTS) {
      const nextAttemptAt = new Date(Date.now() + retryDelayMs(attempts)).toISOString();
      await this.#services.queue.retryLater({
        ...entry,
        attempts,
        nextAttemptAt,
        lastError: error,
      });
      return;
    }
    const reason = `The outgoing server could not be reached or kept refusing for ${attempts} attempts; the last answer was:`;
    const refused = entry.to.map((recipient) => ({ recipient, reply: error }));
    await this.#bounce(entry, relay, message, refused, reason);
    await this.#services.queue.remove(entry.id);
  }

  /** After the relay's 250: the copy to Sent (if wanted), then the queue forgets it. */
  async #finishRelayed(entry: QueueEntry, message?: Buffer): Promise<void> {
    const { queue, logger } = this.#services;
    const store = this.#services.storeFor(entry.account);
    if (store && this.#services.saveToSent()) {
      try {
        await saveToSent(store, message ?? (await readFile(queue.messagePath(entry.id))));
      } catch (err) {
        logger.error({ err, id: entry.id, account: entry.account }, 'no copy saved to Sent');
      }
    }
    await queue.remove(entry.id);
  }

  async #bounce(
    entry: QueueEntry,
    relay: RelayConfig,
    original: Buffer,
    refused: readonly Refusal[],
    reason?: string,
  ): Promise<void> {
    const store = this.#services.storeFor(entry.account);
    if (!store) return;
    const bounce = bounceMessage({
      from: entry.from,
      queuedAt: entry.queuedAt,
      relayHost: relay.host,
      refused,
      ...(reason !== undefined && { reason }),
      original,
      hostName: this.#services.hostName,
    });
    try {
      await deliverToInbox(store, bounce);
    } catch (err) {
      this.#services.logger.error({ err, id: entry.id }, 'bounce not delivered');
    }
  }
}

/** A refusal of the whole message names every recipient. */
function withRecipients(refused: readonly Refusal[], entry: QueueEntry): Refusal[] {
  return refused.flatMap((r) =>
    r.recipient ? [r] : entry.to.map((recipient) => ({ recipient, reply: r.reply })),
  );
}
