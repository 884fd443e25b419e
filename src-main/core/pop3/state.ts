/**
 * The POP3 session states of RFC 1939 §3. The transaction state holds the maildrop as it was
 * at login: message numbers never change during a session, and DELE only marks.
 */
import type { Account } from '../config/schema.js';
import type { Mailbox, MessageRecord } from '../store/types.js';

export interface AuthorizationState {
  readonly kind: 'authorization';
  /** The name from USER, waiting for PASS. */
  readonly user?: string;
}

export interface TransactionState {
  readonly kind: 'transaction';
  readonly account: Account;
  readonly mailbox: Mailbox;
  readonly uidValidity: number;
  /** Message n is messages[n - 1]. */
  readonly messages: readonly MessageRecord[];
  /** Message numbers marked by DELE; applied only in the update state (QUIT). */
  readonly deleted: Set<number>;
  /** Message numbers sent by RETR/TOP, marked \Seen at QUIT as Dovecot does. */
  readonly retrieved: Set<number>;
  readonly releaseLock: () => void;
}

export interface UpdateState {
  readonly kind: 'update';
}

export type Pop3State = AuthorizationState | TransactionState | UpdateState;
export type Pop3StateKind = Pop3State['kind'];
