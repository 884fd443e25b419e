import { describe, expect, it } from 'vitest';
import { commandBudget } from '../../../src-main/core/imap/command-budget.js';
import {
  MAX_COMMAND_BYTES,
  MAX_PREAUTH_COMMAND_BYTES,
  MAX_PREAUTH_LITERAL_BYTES,
  MAX_SMALL_LITERAL_BYTES,
} from '../../../src-main/core/imap/limits.js';

const MESSAGE_BYTES = 64 * 1024 * 1024;
const at = (loggedIn: boolean, awaitingLine = false) => ({
  loggedIn,
  awaitingLine,
  maxMessageBytes: MESSAGE_BYTES,
});

describe('IMAP command budgets', () => {
  it('takes no more before login than LOGIN needs, and no APPEND literal at all', () => {
    expect(commandBudget(at(false), 'LOGIN')).toEqual({
      maxLiteralBytes: MAX_PREAUTH_LITERAL_BYTES,
      maxCommandBytes: MAX_PREAUTH_COMMAND_BYTES,
    });
    expect(commandBudget(at(false), 'APPEND')).toMatchObject({
      maxLiteralBytes: 0,
      literalRefusal: expect.stringMatching(/log in/),
    });
  });

  it('lets APPEND carry a message once logged in, other commands 1 MiB literals', () => {
    expect(commandBudget(at(true), 'APPEND').maxLiteralBytes).toBe(MESSAGE_BYTES);
    expect(commandBudget(at(true), 'SEARCH')).toEqual({
      maxLiteralBytes: MAX_SMALL_LITERAL_BYTES,
      maxCommandBytes: MAX_COMMAND_BYTES,
    });
    expect(MAX_PREAUTH_COMMAND_BYTES).toBeLessThan(MAX_COMMAND_BYTES);
  });

  it('allows no literal in a continuation line, whatever it looks like', () => {
    for (const loggedIn of [false, true])
      expect(commandBudget(at(loggedIn, true), 'APPEND').maxLiteralBytes).toBe(0);
  });
});
