/** The four IMAP session states of RFC 3501 §3. */
import type { Account } from '../config/schema.js';
import type { MailStore } from '../store/types.js';
import type { MailboxView } from './mailbox-view.js';

export type ImapState =
  | { readonly kind: 'not-authenticated' }
  | { readonly kind: 'authenticated'; readonly account: Account; readonly store: MailStore }
  | {
      readonly kind: 'selected';
      readonly account: Account;
      readonly store: MailStore;
      readonly view: MailboxView;
    }
  | { readonly kind: 'logout' };

export type ImapStateKind = ImapState['kind'];

export const ANY_STATE: readonly ImapStateKind[] = [
  'not-authenticated',
  'authenticated',
  'selected',
];
export const AUTHENTICATED: readonly ImapStateKind[] = ['authenticated', 'selected'];
export const SELECTED: readonly ImapStateKind[] = ['selected'];
export const NOT_AUTHENTICATED: readonly ImapStateKind[] = ['not-authenticated'];
