/**
 * The Thunderbird autoconfig file (clientConfig version 1.1), which Thunderbird, K-9 Mail and
 * FairEmail read: the IMAP server over implicit TLS with a cleartext password inside TLS.
 */
import type { IncomingServer, OutgoingServer } from './account-settings.js';

export const AUTOCONFIG_TYPE = 'application/xml; charset=utf-8';

export interface AutoconfigOptions {
  readonly hostName: string;
  readonly incoming: Omit<IncomingServer, 'password'>;
  /** Included when Mailport's submission is on, or the user named the server they send through. */
  readonly outgoing?: OutgoingServer;
}

export function buildAutoconfig(options: AutoconfigOptions): string {
  const { incoming, outgoing } = options;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${xml(incoming.host)}">`,
    `    <domain>${xml(incoming.host)}</domain>`,
    `    <displayName>Mailport on ${xml(options.hostName)}</displayName>`,
    `    <displayShortName>Mailport</displayShortName>`,
    '    <incomingServer type="imap">',
    `      <hostname>${xml(incoming.host)}</hostname>`,
    `      <port>${incoming.port}</port>`,
    '      <socketType>SSL</socketType>',
    `      <username>${xml(incoming.username)}</username>`,
    '      <authentication>password-cleartext</authentication>',
    '    </incomingServer>',
  ];
  if (outgoing) {
    lines.push(
      '    <outgoingServer type="smtp">',
      `      <hostname>${xml(outgoing.host)}</hostname>`,
      `      <port>${outgoing.port}</port>`,
      `      <socketType>${socketType(outgoing)}</socketType>`,
      `      <username>${xml(outgoing.username)}</username>`,
      '      <authentication>password-cleartext</authentication>',
      '    </outgoingServer>',
    );
  }
  lines.push('  </emailProvider>', '</clientConfig>', '');
  return lines.join('\n');
}

function socketType(outgoing: OutgoingServer): string {
  if (outgoing.security) return outgoing.security === 'tls' ? 'SSL' : 'STARTTLS';
  return outgoing.ssl ? (outgoing.port === 465 ? 'SSL' : 'STARTTLS') : 'plain';
}

/** Escapes text for XML content and attribute values. */
export function xml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}
