/**
 * What a phone needs to know to reach one Mailport account, shared by the configuration
 * profile, the autoconfig file and the page.
 */

export interface IncomingServer {
  /** The address the phone reached this computer on (it is in the certificate's SANs). */
  readonly host: string;
  /** The IMAP-over-TLS port (RFC 8314 implicit TLS). */
  readonly port: number;
  readonly username: string;
  /** Only when the user asked for it and it was checked against the account. */
  readonly password?: string;
}

/**
 * The server the phone sends mail through: Mailport's submission listener when it is on (then
 * the same host, user name and password as IMAP), else the one the user names (their provider's).
 */
export interface OutgoingServer {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly username: string;
  /** How TLS starts; absent for a server the user named (guessed from the port). */
  readonly security?: 'tls' | 'starttls';
  /** Mailport's own submission listener: the account's Mailport password signs in. */
  readonly mailport?: boolean;
}

/** Mailport's submission listener a phone should send through (RFC 8314 §3.3: 465 first). */
export interface SubmissionEndpoint {
  readonly port: number;
  readonly security: 'tls' | 'starttls';
}

export function mailportOutgoing(
  host: string,
  username: string,
  submission: SubmissionEndpoint,
): OutgoingServer {
  return {
    host,
    port: submission.port,
    ssl: true,
    username,
    security: submission.security,
    mailport: true,
  };
}

/** A short reverse-DNS-safe label (letters, digits and hyphens). */
export function identifierLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}
