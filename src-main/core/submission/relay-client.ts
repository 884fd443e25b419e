/**
 * Talking to the smarthost (the user's provider) with nodemailer's SMTP transport: implicit TLS
 * or STARTTLS required, the certificate always verified, the account's credentials. One
 * attempt is one connection; the outcome is sorted into relayed / temporary / permanent.
 */
import { readFileSync } from 'node:fs';
import type { Settings } from '../config/schema.js';
import { RELAY_CONNECTION_TIMEOUT_MS, RELAY_SOCKET_TIMEOUT_MS } from './limits.js';

export interface RelayConfig {
  readonly host: string;
  readonly port: number;
  readonly security: Settings['relay']['security'];
  readonly username: string;
  readonly password: string | undefined;
}

export type RelayOutcome =
  | { readonly kind: 'relayed'; readonly response: string }
  /** Some recipients refused for good (5xx), the others accepted. */
  | {
      readonly kind: 'partly';
      readonly refused: readonly Refusal[];
      readonly retry: readonly string[];
    }
  | { readonly kind: 'temporary'; readonly error: string }
  | { readonly kind: 'permanent'; readonly refused: readonly Refusal[] };

export interface Refusal {
  readonly recipient: string;
  readonly reply: string;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  rejected?: string[];
  rejectedErrors?: SmtpError[];
  recipient?: string;
}

/**
 * Tests only: a CA file to trust instead of the system's (the sink's own CA). Never set in a
 * real installation; verification stays on either way.
 */
const TEST_CA_FILE = process.env.MAILPORT_TEST_RELAY_CA;

export async function relayMessage(
  config: RelayConfig,
  envelope: { from: string; to: readonly string[] },
  message: Buffer,
): Promise<RelayOutcome> {
  // Loaded on the first message to relay: a server with nothing queued never needs it (issue 16).
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: config.host,
    port: config.port,
    secure: config.security === 'tls',
    requireTLS: config.security === 'starttls',
    ...(config.username && { auth: { user: config.username, pass: config.password ?? '' } }),
    connectionTimeout: RELAY_CONNECTION_TIMEOUT_MS,
    greetingTimeout: RELAY_CONNECTION_TIMEOUT_MS,
    socketTimeout: RELAY_SOCKET_TIMEOUT_MS,
    tls: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(TEST_CA_FILE && { ca: readFileSync(TEST_CA_FILE) }),
    },
  });
  try {
    const info = (await transport.sendMail({
      envelope: { from: envelope.from, to: [...envelope.to] },
      raw: message,
    })) as { response: string; rejected?: unknown[]; rejectedErrors?: SmtpError[] };
    const rejected = info.rejectedErrors ?? [];
    if (rejected.length === 0) return { kind: 'relayed', response: info.response };
    return {
      kind: 'partly',
      refused: rejected.filter(isPermanent).map(refusal),
      retry: rejected.filter((e) => !isPermanent(e)).map((e) => e.recipient ?? ''),
    };
  } catch (err) {
    return classify(err as SmtpError);
  } finally {
    transport.close();
  }
}

/**
 * A 5xx for the message or every recipient is final (RFC 5321 §4.2.1). A refused sign-in is
 * not the message's fault: it waits (and `mailport status` shows why) until the password is
 * fixed. Anything else (no connection, TLS, 4xx) is tried again later.
 */
function classify(err: SmtpError): RelayOutcome {
  if (err.code === 'EAUTH')
    return { kind: 'temporary', error: `The relay refused the sign-in: ${reply(err)}` };
  const recipients = err.rejectedErrors ?? [];
  if (recipients.length && recipients.every(isPermanent))
    return { kind: 'permanent', refused: recipients.map(refusal) };
  if (!recipients.length && isPermanent(err))
    return {
      kind: 'permanent',
      refused: (err.rejected ?? ['']).map((r) => ({ recipient: r, reply: reply(err) })),
    };
  return { kind: 'temporary', error: reply(err) };
}

function isPermanent(err: SmtpError): boolean {
  return (err.responseCode ?? 0) >= 500 && (err.responseCode ?? 0) < 600;
}

function refusal(err: SmtpError): Refusal {
  return { recipient: err.recipient ?? '', reply: reply(err) };
}

function reply(err: SmtpError): string {
  return (err.response ?? err.message).replace(/[\r\n]+/g, ' ').slice(0, 500);
}
