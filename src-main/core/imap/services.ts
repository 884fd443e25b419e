/** What the IMAP server needs from the rest of Mailport; injected so tests can swap pieces. */
import type { Account } from '../config/schema.js';
import type { LoginClient, LoginResult } from '../auth/login-result.js';
import type { Logger } from '../log/logger.js';
import type { MailStore } from '../store/types.js';

export interface ImapPolicy {
  /** `secure`: no credentials on a connection that is not TLS (LOGINDISABLED). */
  readonly loginPolicy: 'secure' | 'plaintext';
  readonly preauthTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** APPENDLIMIT (RFC 7889) and the largest literal an APPEND may send. */
  readonly maxMessageBytes: number;
  /** COMPRESS=DEFLATE offered after login (RFC 4978; the `imap.compress` setting). */
  readonly compress: boolean;
}

export interface ImapServices {
  /** Checks the password, throttling and the per-account session limit. */
  authenticate(user: string, password: string, client: LoginClient): Promise<LoginResult>;
  openStore(account: Account): MailStore;
  policy(): ImapPolicy;
  readonly logger: Logger;
}
