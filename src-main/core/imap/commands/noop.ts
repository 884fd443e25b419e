/** NOOP — RFC 3501 §6.1.2; CHECK — §6.4.1 (the same here: every change is already on disk). */
import type { ImapCommand } from '../command.js';
import { ok } from '../response.js';
import { ANY_STATE, SELECTED } from '../state.js';

export const noop: ImapCommand = {
  name: 'NOOP',
  states: ANY_STATE,
  handle: () => ok('NOOP completed.'),
};

export const check: ImapCommand = {
  name: 'CHECK',
  states: SELECTED,
  handle: () => ok('Check completed.'),
};
