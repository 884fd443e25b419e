/** Store errors in POP3's words: RFC 2449 §8 and RFC 3206 response codes. */
import type { Logger } from '../log/logger.js';
import { StoreError } from '../store/errors.js';

export function storeErrorText(err: unknown, logger: Logger): string {
  if (err instanceof StoreError) {
    switch (err.code) {
      case 'IN_USE':
        return '[IN-USE] This mailbox is open in another POP3 session. Close it there and try again.';
      case 'EXPUNGED':
        return 'That message was deleted by another session.';
      case 'PERM':
        return '[SYS/PERM] The mail folder cannot be read: check its permissions.';
      case 'NOT_FOUND':
        return '[SYS/PERM] The mail folder for this account is missing.';
      default:
        break;
    }
  }
  logger.error({ err }, 'POP3 store failure');
  return '[SYS/TEMP] Internal error occurred. Try again later.';
}
