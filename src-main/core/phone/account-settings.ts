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

/** The server the user already sends mail through: Mailport itself does not send mail. */
export interface OutgoingServer {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly username: string;
}

/** A short reverse-DNS-safe label (letters, digits and hyphens). */
export function identifierLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}
