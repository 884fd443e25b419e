/**
 * Which addresses an account may send from, in the window's words: its own list, or, when that
 * is empty, the account's name if it is an address (the core's rule in
 * `core/submission/senders.ts`, which the window may not import: only types cross over).
 */

/** The shape of `MAIL_ADDRESS` in `core/config/schema.ts`: something@something, no spaces. */
const ADDRESS = /^[^\s<>@]{1,64}@[^\s<>@]{1,255}$/;

export function looksLikeAddress(text: string): boolean {
  return ADDRESS.test(text.trim());
}

/** The addresses the account may use in MAIL FROM right now. */
export function allowedSenders(account: { name: string; senders: readonly string[] }): string[] {
  if (account.senders.length) return [...account.senders];
  return looksLikeAddress(account.name) ? [account.name] : [];
}

/** What the empty list means for this account, in one sentence. */
export function emptySendersWords(accountName: string): string {
  return looksLikeAddress(accountName)
    ? `No address added: phones signed in as ${accountName} may send only as ${accountName}, the account's name.`
    : 'No address added: phones signed in with this account cannot send until you add the address they send from.';
}

/**
 * Refuses only an empty field before asking Mailport; anything else goes to Mailport, whose
 * own check (and words) decide, so the window and the CLI never disagree.
 */
export function senderInputError(text: string): string | null {
  return text.trim() ? null : 'Enter the address the phone sends from, like name@example.org.';
}
