/**
 * IMAP4rev2 (RFC 9051) in a session. A server offering both revisions answers as IMAP4rev1
 * until the client sends `ENABLE IMAP4rev2` (RFC 9051 §6.3.1); from then on, for that session
 * only: mailbox names are UTF-8 (§5.1, the names of `utf8-accept.ts`), \Recent and RECENT are
 * gone (FETCH FLAGS, SELECT/EXAMINE, unsolicited updates; Appendix E), SELECT and EXAMINE send
 * the mailbox's LIST response instead of `OK [UNSEEN n]` (§6.3.2), SEARCH answers with ESEARCH
 * (§6.4.4, §7.3.4), and STATUS knows DELETED (§6.3.11). `docs/imap4rev2.md` lists every
 * difference and where it is handled.
 */
import type { ImapContext } from './command.js';

/** The capability, as CAPABILITY spells it; ENABLE compares names case-insensitively. */
export const IMAP4REV2 = 'IMAP4rev2';
/** The name ENABLE looks up and lists (it upper-cases what the client sent). */
export const IMAP4REV2_ENABLE = IMAP4REV2.toUpperCase();

export function rev2Enabled(session: { readonly enabled: ReadonlySet<string> }): boolean {
  return session.enabled.has(IMAP4REV2_ENABLE);
}

/** Turns IMAP4rev2 on; true when it was off. A selected mailbox stops showing \Recent at once. */
export function enableImap4rev2(ctx: ImapContext): boolean {
  if (rev2Enabled(ctx)) return false;
  ctx.enabled.add(IMAP4REV2_ENABLE);
  if (ctx.state.kind === 'selected') ctx.state.view.reportRecent = false;
  return true;
}
