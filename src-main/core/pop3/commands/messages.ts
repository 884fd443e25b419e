/** Helpers the message commands share. */
import type { Pop3Context } from '../command.js';
import type { TransactionState } from '../state.js';
import type { MessageRecord } from '../../store/types.js';
import { quoteInput } from '../../net/client-text.js';

export function eachLiveMessage(
  state: TransactionState,
  format: (n: number, message: MessageRecord) => string,
): string[] {
  const lines: string[] = [];
  state.messages.forEach((message, index) => {
    if (!state.deleted.has(index + 1)) lines.push(format(index + 1, message));
  });
  return lines;
}

export function noSuchMessage(ctx: Pop3Context, arg: string | undefined): void {
  ctx.err(arg ? `There is no message ${quoteInput(arg)}.` : 'A message number is required.');
}
