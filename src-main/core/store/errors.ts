/**
 * The store's small error vocabulary. Each protocol maps these codes to its own words once
 * (IMAP response codes, POP3 `-ERR [...]`); nothing above the store sees `errno`.
 */
export type StoreErrorCode =
  | 'NOT_FOUND' // no such mailbox or message
  | 'EXISTS' // a mailbox with that name is already there
  | 'INVALID_NAME' // a name that would escape the Maildir or is not valid modified UTF-7
  | 'PERM' // the operating system refused (permissions, read-only)
  | 'IN_USE' // someone else holds the lock (POP3 maildrop, uidlist dotlock timeout)
  | 'EXPUNGED' // the message was removed by another session or program
  | 'NO_SPACE' // disk full or quota
  | 'TEMP'; // anything else worth retrying

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** Maps an errno-style failure from the file system to a StoreError; keeps the cause for the log. */
export function storeErrorFromFs(err: unknown, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new StoreError('NOT_FOUND', `${what}: not found`, { cause: err });
    case 'EEXIST':
    case 'ENOTEMPTY': // rename(2) onto a directory that holds something
      return new StoreError('EXISTS', `${what}: already exists`, { cause: err });
    case 'ENAMETOOLONG':
      return new StoreError('INVALID_NAME', `${what}: the name is too long`, { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StoreError('PERM', `${what}: permission denied`, { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new StoreError('NO_SPACE', `${what}: no space left`, { cause: err });
    default:
      return new StoreError('TEMP', `${what}: temporary failure`, { cause: err });
  }
}
