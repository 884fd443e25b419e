/**
 * What one command may carry, from the session's state: the policy the command reader asks
 * before it keeps a byte of a literal. Before login nothing bigger than LOGIN needs is taken,
 * and APPEND is refused before its "+" (RFC 3501 §6.3.11 needs the authenticated state; §7.5
 * lets a server refuse a literal instead of asking for it).
 */
import type { CommandBudget } from './command-reader.js';
import {
  MAX_APPEND_COMMAND_MESSAGES,
  MAX_COMMAND_BYTES,
  MAX_CONTINUATION_BYTES,
  MAX_LINE_BYTES,
  MAX_PREAUTH_COMMAND_BYTES,
  MAX_PREAUTH_LITERAL_BYTES,
  MAX_SMALL_LITERAL_BYTES,
} from './limits.js';

export interface BudgetContext {
  readonly loggedIn: boolean;
  /** A running command waits for a continuation line (SASL response, DONE). */
  readonly awaitingLine: boolean;
  /** APPENDLIMIT. */
  readonly maxMessageBytes: number;
}

const CONTINUATION: CommandBudget = {
  maxLiteralBytes: 0,
  maxCommandBytes: MAX_CONTINUATION_BYTES,
  literalRefusal: 'A continuation line carries no literal',
};
const PREAUTH: CommandBudget = {
  maxLiteralBytes: MAX_PREAUTH_LITERAL_BYTES,
  maxCommandBytes: MAX_PREAUTH_COMMAND_BYTES,
};
const PREAUTH_APPEND: CommandBudget = {
  maxLiteralBytes: 0,
  maxCommandBytes: MAX_PREAUTH_COMMAND_BYTES,
  literalRefusal: 'APPEND needs you to log in first',
};
const AUTHENTICATED: CommandBudget = {
  maxLiteralBytes: MAX_SMALL_LITERAL_BYTES,
  maxCommandBytes: MAX_COMMAND_BYTES,
};

export function commandBudget(ctx: BudgetContext, verb: string): CommandBudget {
  if (ctx.awaitingLine) return CONTINUATION;
  if (!ctx.loggedIn) return verb === 'APPEND' ? PREAUTH_APPEND : PREAUTH;
  if (verb !== 'APPEND') return AUTHENTICATED;
  return {
    maxLiteralBytes: ctx.maxMessageBytes,
    // MULTIAPPEND (RFC 3502): several messages in one command, each within APPENDLIMIT.
    maxCommandBytes: MAX_APPEND_COMMAND_MESSAGES * ctx.maxMessageBytes + MAX_LINE_BYTES,
  };
}
