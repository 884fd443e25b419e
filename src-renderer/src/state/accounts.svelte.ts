/**
 * The Accounts screen: the list, adding, a new password shown once, removing, and the
 * addresses each account may send from.
 */
import type { MailportBridge } from '../bridge.js';
import { Action } from './action.svelte.js';

export interface AccountRow {
  readonly name: string;
  readonly maildir: string;
  /** The addresses it may send from (MAIL FROM); empty: see lib/senders.ts. */
  readonly senders: readonly string[];
}

/** A password the user sees once, with what it belongs to. */
export interface ShownPassword {
  readonly account: string;
  readonly password: string;
  readonly why: 'added' | 'reset';
}

export class AccountsState {
  list = $state<AccountRow[]>([]);
  shown = $state<ShownPassword | null>(null);
  readonly add = new Action();
  /** Per-account actions, so an error appears beside that account's buttons. */
  readonly #rowActions: Record<string, { reset: Action; remove: Action }> = {};
  readonly #senderActions: Record<string, { add: Action; remove: Action }> = {};
  readonly #bridge: MailportBridge;

  constructor(bridge: MailportBridge) {
    this.#bridge = bridge;
  }

  async load(): Promise<void> {
    this.list = await this.#bridge.listAccounts({});
  }

  actionsFor(name: string): { reset: Action; remove: Action } {
    return (this.#rowActions[name] ??= { reset: new Action(), remove: new Action() });
  }

  /**
   * What the user confirmed after Mailport asked: `allowAnyPath`, a Maildir outside their home
   * folder and Mailport's (`needsConfirmation`); `createFolder`, a folder that does not exist
   * yet (`needsCreateConfirmation`).
   */
  async addAccount(
    name: string,
    maildir: string,
    confirmed: { allowAnyPath?: boolean; createFolder?: boolean } = {},
  ): Promise<boolean> {
    const result = await this.add.run(() =>
      this.#bridge.addAccount({
        name,
        ...(maildir.trim() ? { maildir: maildir.trim() } : {}),
        ...(confirmed.allowAnyPath ? { allowAnyPath: true } : {}),
        ...(confirmed.createFolder ? { createFolder: true } : {}),
      }),
    );
    if (!result) return false;
    this.shown = { account: result.name, password: result.password, why: 'added' };
    await this.load();
    return true;
  }

  /** Mailport refused the folder until the user confirms it (it is outside their home). */
  get needsConfirmation(): boolean {
    return this.add.code === 'CONFIRM';
  }

  /** Mailport will not create the folder (it does not exist yet) until the user confirms. */
  get needsCreateConfirmation(): boolean {
    return this.add.code === 'CONFIRM_CREATE';
  }

  async resetPassword(name: string): Promise<void> {
    const result = await this.actionsFor(name).reset.run(() =>
      this.#bridge.resetPassword({ name }),
    );
    if (result) this.shown = { account: result.name, password: result.password, why: 'reset' };
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.actionsFor(name).remove.run(() =>
      this.#bridge.removeAccount({ name }),
    );
    if (!result) return false;
    if (this.shown?.account === name) this.shown = null;
    await this.load();
    return true;
  }

  /** Per-account actions on the sender list, so an error appears beside that list. */
  senderActionsFor(name: string): { add: Action; remove: Action } {
    return (this.#senderActions[name] ??= { add: new Action(), remove: new Action() });
  }

  /** Allows `account` to send as `address`; true when Mailport took it. */
  async addSender(account: string, address: string): Promise<boolean> {
    const result = await this.senderActionsFor(account).add.run(
      () => this.#bridge.addSender({ account, address: address.trim() }),
      `Added. Phones signed in as ${account} may send as ${address.trim()}.`,
    );
    if (result) this.#setSenders(result.account, result.senders);
    return result !== undefined;
  }

  async removeSender(account: string, address: string): Promise<void> {
    const actions = this.senderActionsFor(account);
    actions.add.clear();
    const result = await actions.remove.run(() => this.#bridge.removeSender({ account, address }));
    if (result) this.#setSenders(result.account, result.senders);
  }

  #setSenders(account: string, senders: string[]): void {
    this.list = this.list.map((a) =>
      a.name.toLowerCase() === account.toLowerCase() ? { ...a, senders } : a,
    );
  }

  /** Desktop only: the native folder chooser, when the bridge has one. */
  get canChooseFolder(): boolean {
    return typeof this.#bridge.chooseFolder === 'function';
  }

  async chooseFolder(): Promise<string | null> {
    return (await this.#bridge.chooseFolder?.()) ?? null;
  }
}
