/**
 * The CAPABILITY list (RFC 3501 §6.1.1) for a connection in a given state. Login mechanisms
 * appear only where a login would be accepted; otherwise LOGINDISABLED (RFC 3501 §6.2.3).
 */
import type { ImapStateKind } from './state.js';
import { IMAP4REV2 } from './imap4rev2.js';

export interface CapabilityContext {
  readonly state: ImapStateKind;
  readonly secure: boolean;
  readonly canStartTls: boolean;
  readonly loginAllowed: boolean;
  readonly appendLimit: number;
  /** COMPRESS=DEFLATE is on in the settings (offered after login; still listed once on, as Dovecot does). */
  readonly canCompress: boolean;
}

/**
 * What a client needs before it logs in, in the greeting and the pre-login CAPABILITY, as
 * Dovecot lists it: the rest comes in the login's `OK [CAPABILITY …]` (RFC 3501 §7.1 allows
 * the list to change at login), so a phone's every connection does not carry it twice.
 */
const BEFORE_LOGIN = ['SASL-IR', 'ID', 'ENABLE', 'IDLE', 'LITERAL+'];

/** Extensions offered once logged in. */
const EXTENSIONS = [
  'LITERAL+', // RFC 7888
  'SASL-IR', // RFC 4959
  'ID', // RFC 2971
  'ENABLE', // RFC 5161
  'UTF8=ACCEPT', // RFC 6855 (utf8-accept.ts)
  'IDLE', // RFC 2177
  'NAMESPACE', // RFC 2342
  'UIDPLUS', // RFC 4315
  'MULTIAPPEND', // RFC 3502
  'BINARY', // RFC 3516
  'MOVE', // RFC 6851
  'UNSELECT', // RFC 3691
  'CHILDREN', // RFC 3348
  'LIST-EXTENDED', // RFC 5258
  'LIST-STATUS', // RFC 5819
  'SPECIAL-USE', // RFC 6154
  'STATUS=SIZE', // RFC 8438
  'SORT', // RFC 5256
  'SORT=DISPLAY', // RFC 5957
  'THREAD=ORDEREDSUBJECT', // RFC 5256
  'THREAD=REFERENCES', // RFC 5256
  'ESEARCH', // RFC 4731
  'SEARCHRES', // RFC 5182
  'CONDSTORE', // RFC 7162 §3.1
  'QRESYNC', // RFC 7162 §3.2
];

export function capabilities(ctx: CapabilityContext): string[] {
  // RFC 9051 §6.3.1: both revisions; a session is IMAP4rev1 until it sends ENABLE IMAP4rev2.
  if (ctx.state === 'not-authenticated') {
    const caps = ['IMAP4rev1', IMAP4REV2, ...BEFORE_LOGIN];
    if (ctx.canStartTls) caps.push('STARTTLS');
    caps.push(ctx.loginAllowed ? 'AUTH=PLAIN' : 'LOGINDISABLED');
    return caps;
  }
  const caps = ['IMAP4rev1', IMAP4REV2, ...EXTENSIONS, `APPENDLIMIT=${ctx.appendLimit}`];
  if (ctx.canCompress) caps.push('COMPRESS=DEFLATE'); // RFC 4978; after login, as Dovecot
  return caps;
}
