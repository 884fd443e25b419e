/**
 * The six listeners and their standard ports, with no dependency at all: the settings schema
 * and the window (which may not load core code with Node or zod imports) share this module.
 */
export const LISTENER_NAMES = [
  'imaps',
  'imap',
  'pop3s',
  'pop3',
  'submissions',
  'submission',
] as const;
export type ListenerName = (typeof LISTENER_NAMES)[number];
/** The listeners that serve mail (IMAP, POP3): the window's Protocols screen. */
export type MailListenerName = Exclude<ListenerName, 'submissions' | 'submission'>;

/** The standard ports of DESIGN.md (the Exchange 2007 defaults). */
export const STANDARD_PORTS: Readonly<Record<ListenerName, number>> = {
  imaps: 993,
  imap: 143,
  pop3s: 995,
  pop3: 110,
  // RFC 8314 §3.3 (implicit TLS) and RFC 6409 §3.1 (STARTTLS) message submission.
  submissions: 465,
  submission: 587,
};

/** The message submission listeners (core/submission/); the others serve mail. */
export const SUBMISSION_LISTENERS = ['submissions', 'submission'] as const;
