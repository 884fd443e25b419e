/** Store errors in IMAP's words: RFC 5530 response codes, mapped once here. */
import type { Logger } from '../log/logger.js';
import { StoreError } from '../store/errors.js';
import { encodeModifiedUtf7 } from '../store/mailbox-name.js';
import { ArgumentError } from './args.js';
import { bad, no, type CommandResult } from './response.js';

/**
 * Response text is 7-bit (RFC 3501 §9 `text = 1*TEXT-CHAR`), but store messages quote Unicode
 * mailbox names: each run of other characters is written as the client sees the name, in
 * modified UTF-7 (`Büro` → `B&APw-ro`).
 */
function wireText(message: string): string {
  return message.replace(/[^\x20-\x7e]+/g, (run) =>
    encodeModifiedUtf7(run.replace(/[\x00-\x1f\x7f]/g, '?')),
  );
}

export function errorResult(err: unknown, logger: Logger): CommandResult {
  if (err instanceof ArgumentError) return bad(wireText(err.message));
  if (err instanceof StoreError) {
    const text = wireText(err.message);
    switch (err.code) {
      case 'NOT_FOUND':
        return no(text, 'NONEXISTENT');
      case 'EXISTS':
        return no(text, 'ALREADYEXISTS');
      case 'INVALID_NAME':
        return no(text, 'CANNOT');
      case 'PERM':
        return no(text, 'NOPERM');
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
