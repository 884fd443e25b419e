/** What the POP3 server needs from the rest of Mailport; injected so tests can use a memory store. */
import type { Account } from '../config/schema.js';
import type { LoginClient, LoginResult } from '../auth/login-result.js';
import type { Logger } from '../log/logger.js';
import type { MailStore } from '../store/types.js';

export interface LoginPolicy {
  /** `secure`: no credentials on a connection that is not TLS (DESIGN.md, Exchange's SecureLogin). */
  readonly loginPolicy: 'secure' | 'plaintext';
  readonly preauthTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

export interface Pop3Services {
  /** Checks the password, throttling and the per-account session limit. */
  authenticate(user: string, password: string, client: LoginClient): Promise<LoginResult>;
  openStore(account: Account): MailStore;
  policy(): LoginPolicy;
  readonly logger: Logger;
}
