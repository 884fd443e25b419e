/**
 * The iOS/iPadOS configuration profile: the local CA (`com.apple.security.root`) and the IMAP
 * account (`com.apple.mail.managed`), in Apple's property-list format. Keys as in Apple's
 * "Configuration Profile Reference" (Certificate payload, Mail payload).
 */
import { randomUUID } from 'node:crypto';
import { build, type PlistValue } from 'plist';
import { identifierLabel, type IncomingServer, type OutgoingServer } from './account-settings.js';

type PlistDict = { [key: string]: PlistValue };

export const MOBILECONFIG_TYPE = 'application/x-apple-aspen-config';

export interface MobileconfigOptions {
  /** This computer's short host name, for names and identifiers. */
  readonly hostName: string;
  readonly incoming: IncomingServer;
  readonly outgoing: OutgoingServer;
  /** The local CA's DER bytes; absent when the user's own certificate is served. */
  readonly caDer?: Buffer;
}

/** A profile UUID: upper-case, as Apple's tools write them. */
function uuid(): string {
  return randomUUID().toUpperCase();
}

export function buildMobileconfig(options: MobileconfigOptions): string {
  const base = `local.mailport.${identifierLabel(options.hostName)}.${identifierLabel(options.incoming.username)}`;
  const content: PlistDict[] = [];
  if (options.caDer) content.push(rootPayload(base, options));
  content.push(mailPayload(base, options));
  return build({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: base,
    PayloadUUID: uuid(),
    PayloadDisplayName: `Mailport on ${options.hostName}`,
    PayloadDescription: options.caDer
      ? `Trusts Mailport's certificate authority on ${options.hostName} and adds the mail account ${options.incoming.username}.`
      : `Adds the mail account ${options.incoming.username} on ${options.hostName}.`,
    PayloadOrganization: 'Mailport',
    PayloadRemovalDisallowed: false,
    PayloadContent: content,
  });
}

function rootPayload(base: string, options: MobileconfigOptions): PlistDict {
  return {
    PayloadType: 'com.apple.security.root',
    PayloadVersion: 1,
    PayloadIdentifier: `${base}.ca`,
    PayloadUUID: uuid(),
    PayloadDisplayName: `Mailport CA (${options.hostName})`,
    PayloadCertificateFileName: 'mailport-ca.crt',
    PayloadContent: options.caDer!,
  };
}

function mailPayload(base: string, options: MobileconfigOptions): PlistDict {
  const { incoming, outgoing } = options;
  return {
    PayloadType: 'com.apple.mail.managed',
    PayloadVersion: 1,
    PayloadIdentifier: `${base}.mail`,
    PayloadUUID: uuid(),
    PayloadDisplayName: `Mail: ${incoming.username} on ${options.hostName}`,
    EmailAccountDescription: `Mailport (${options.hostName})`,
    EmailAccountType: 'EmailTypeIMAP',
    IncomingMailServerHostName: incoming.host,
    IncomingMailServerPortNumber: incoming.port,
    IncomingMailServerUseSSL: true,
    IncomingMailServerUsername: incoming.username,
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    ...(incoming.password !== undefined && { IncomingPassword: incoming.password }),
    OutgoingMailServerHostName: outgoing.host,
    OutgoingMailServerPortNumber: outgoing.port,
    OutgoingMailServerUseSSL: outgoing.ssl,
    OutgoingMailServerUsername: outgoing.username,
    OutgoingMailServerAuthentication: outgoing.username ? 'EmailAuthPassword' : 'EmailAuthNone',
    // Mailport's submission signs in with the same account and password as IMAP.
    OutgoingPasswordSameAsIncomingPassword: outgoing.mailport === true,
  };
}
