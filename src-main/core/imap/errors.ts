/** Store errors in IMAP's words: RFC 5530 response codes, mapped once here. */
import type { Logger } from '../log/logger.js';
import { StoreError } from '../store/errors.js';
import { ArgumentError } from './args.js';
import { bad, no, type CommandResult } from './response.js';

export function errorResult(err: unknown, logger: Logger): CommandResult {
  if (err instanceof ArgumentError) return bad(err.message);
  if (err instanceof StoreError) {
    switch (err.code) {
      case 'NOT_FOUND':
        return no(err.message, 'NONEXISTENT');
      case 'EXISTS':
        return no(err.message, 'ALREADYEXISTS');
      case 'INVALID_NAME':
        return no(err.message, 'CANNOT');
      case 'PERM':
        return no(err.message, 'NOPERM');
      case 'IN_USE':
        return no('The mailbox is busy, try again.', 'INUSE');
      case 'EXPUNGED':
        return no('Some of the requested messages no longer exist.', 'EXPUNGEISSUED');
      case 'NO_SPACE':
        return no('The disk is full.', 'OVERQUOTA');
      case 'TEMP':
        break;
    }
  }
  logger.error({ err }, 'IMAP command failed');
  return no('Internal error occurred. Try again later.', 'SERVERBUG');
}
