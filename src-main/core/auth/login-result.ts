/** What a login attempt can come to; each protocol says it in its own words. */
import type { Account } from '../config/schema.js';
import type { ThrottleScope } from './throttle.js';

export type LoginResult =
  | { readonly ok: true; readonly account: Account }
  | { readonly ok: false; readonly reason: 'credentials' }
  | {
      readonly ok: false;
      readonly reason: 'throttled';
      readonly retryAfterSeconds: number;
      /** Whose failures (or, when `busy`, whose waiting attempts) blocked it. */
      readonly scope: ThrottleScope;
      /** Too many attempts waiting at once, not failures. */
      readonly busy?: true;
    }
  | { readonly ok: false; readonly reason: 'too-many-sessions'; readonly limit: number };

/** The client a login comes from; `closed` settles when its connection ends. */
export interface LoginClient {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly closed: Promise<void>;
  /** Ends the session in the protocol's words (IMAP BYE; POP3 without UPDATE). */
  readonly end: (reason: string) => void;
}
