/** Helpers the mailbox-management commands share. */
import type { ImapContext } from '../command.js';
import type { MailStore } from '../../store/types.js';
import type { Account } from '../../config/schema.js';

export function loggedIn(ctx: ImapContext): { account: Account; store: MailStore } {
  const state = ctx.state;
  if (state.kind !== 'authenticated' && state.kind !== 'selected') throw new Error('not logged in');
  return state;
}

/** True when the session has `name` selected. */
export function isSelected(ctx: ImapContext, name: string): boolean {
  return ctx.state.kind === 'selected' && ctx.state.view.mailbox.name === name;
}
