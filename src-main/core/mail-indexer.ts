/**
 * Indexing in the background (issue 16): the service binds its listeners first, then this
 * reads each account's INBOX (UIDs, sizes: progress goes to the window), watches it for new
 * mail, and has every message's header-sync facts (ENVELOPE, BODYSTRUCTURE) parsed by worker
 * threads into the folder's `mailport.cache`: INBOXes first, then the other folders, and new
 * mail as it arrives. A client asking meanwhile is served as always (FETCH parses what is not
 * indexed yet), just sooner where the indexer has been. A missing Maildir is logged, not fatal.
 */
import type { Account } from './config/schema.js';
import type { ServiceEvents } from './events.js';
import { HEADER_SYNC_KEYS } from './imap/fetch/header-sync-facts.js';
import type { Logger } from './log/logger.js';
import { IndexPool } from './store/maildir/index-pool.js';
import { collectWhenQuiet } from './util/idle-memory.js';
import {
  MaildirStore,
  type FullTextOptions,
  type MaildirMailbox,
} from './store/maildir/maildir-store.js';

/** The module the worker threads run on each message (it must export `fileFacts`). */
const FACTS_MODULE = new URL('./imap/fetch/header-sync-facts.js', import.meta.url);

export interface MailIndexerOptions {
  readonly events: ServiceEvents;
  readonly logger: Logger;
  /** Called when a watched INBOX cannot be read any more (deleted underneath). */
  readonly onMaildirProblem: () => void;
  /** The full-text index's options for the folders opened here (issue 16), if it is on. */
  readonly fullText?: () => FullTextOptions | undefined;
}

export class MailIndexer {
  readonly #options: MailIndexerOptions;
  /** The threads, shared by every store the service makes (FETCH's `prepare` uses them). */
  readonly pool = new IndexPool(FACTS_MODULE, HEADER_SYNC_KEYS);
  readonly #inboxes: MaildirMailbox[] = [];
  #done: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: MailIndexerOptions) {
    this.#options = options;
  }

  /** Starts indexing these accounts; returns at once (see `done`). */
  start(accounts: readonly Account[]): void {
    this.#stopped = false;
    this.pool.open();
    this.#done = this.#run(accounts);
  }

  /** Settles when the first pass over every folder has ended (tests, the window). */
  done(): Promise<void> {
    return this.#done;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.pool.close(); // pending batches reject: the pass ends early
    await this.#done;
    for (const inbox of this.#inboxes.splice(0)) await inbox.close();
  }

  async #run(accounts: readonly Account[]): Promise<void> {
    const watched: [Account, MaildirMailbox][] = [];
    for (const account of accounts) {
      if (this.#stopped) return;
      const inbox = await this.#watchInbox(account);
      if (inbox) watched.push([account, inbox]);
    }
    for (const [account, inbox] of watched) await this.#index(account, inbox);
    for (const account of accounts) await this.#indexFolders(account);
    // The pass read and parsed every folder's cache: its garbage goes once the server is quiet.
    if (!this.#stopped) collectWhenQuiet();
  }

  /** Reads the INBOX once (reporting a large first pass) and watches it for new mail. */
  async #watchInbox(account: Account): Promise<MaildirMailbox | undefined> {
    const { events, logger } = this.#options;
    try {
      const inbox = await this.#store(account).openMailbox('INBOX', {
        background: true,
      });
      this.#inboxes.push(inbox);
      const onProgress = (done: number, total: number): void =>
        events.emit({
          type: 'progress',
          task: 'indexing',
          step: `${account.name}: ${done} of ${total} messages`,
          done,
          total,
        });
      let count = (await inbox.sync({ claimRecent: false, onProgress })).messages.length;
      inbox.watch(() => {
        void inbox.sync({ claimRecent: false }).then(
          (status) => {
            if (status.messages.length > count) {
              events.emit({
                type: 'new-mail',
                account: account.name,
                mailbox: 'INBOX',
                messages: status.messages.length,
              });
              void this.#index(account, inbox); // the new messages, while sessions have it open
            }
            count = status.messages.length;
          },
          () => this.#options.onMaildirProblem(), // deleted underneath: logged there
        );
      });
      return inbox;
    } catch (err) {
      logger.warn({ err, account: account.name }, 'cannot index the INBOX');
      return undefined;
    }
  }

  /** The header-sync facts of every message of one folder not indexed yet. */
  async #index(account: Account, mailbox: MaildirMailbox): Promise<void> {
    if (this.#stopped || !this.pool.available) return;
    const step = (done: number, total: number): string =>
      `${account.name}: ${mailbox.name}: ${done} of ${total} messages parsed`;
    try {
      await mailbox.index(this.pool, (done, total) =>
        this.#options.events.emit({
          type: 'progress',
          task: 'indexing',
          step: step(done, total),
          done,
          total,
        }),
      );
    } catch (err) {
      if (!this.#stopped)
        this.#options.logger.warn({ err, account: account.name }, 'background indexing stopped');
    }
  }

  /** The INBOX's store: the INBOX stays open, and its full-text index is built from start. */
  #store(account: Account): MaildirStore {
    return new MaildirStore(account.maildir, {
      indexer: this.pool,
      fullText: this.#options.fullText?.(),
    });
  }

  /** Every other folder, one at a time, opened only for as long as it is indexed. */
  async #indexFolders(account: Account): Promise<void> {
    // Opened for a moment each: their full-text index waits for a session to open them.
    const store = new MaildirStore(account.maildir, { indexer: this.pool });
    let names: string[];
    try {
      names = (await store.listMailboxes()).map((m) => m.name).filter((n) => n !== 'INBOX');
    } catch {
      return; // a missing Maildir was reported with its INBOX
    }
    for (const name of names) {
      if (this.#stopped || !this.pool.available) return;
      let folder: MaildirMailbox | undefined;
      try {
        folder = await store.openMailbox(name, { background: true });
        await folder.sync({ claimRecent: false });
        await this.#index(account, folder);
      } catch {
        // deleted or renamed meanwhile: a session will see it as it is
      } finally {
        await folder?.close();
      }
    }
  }
}
