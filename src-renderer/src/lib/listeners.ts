/**
 * The four listeners in the window's words, and the checks on the ports a user types: a whole
 * number 1–65535, no port twice (nor the settings page's own), ports below 1024 flagged.
 */
import type {
  ListenerName as AnyListenerName,
  MailListenerName as ListenerName,
} from '../../../src-main/core/config/schema.js';

export const LISTENERS: readonly ListenerName[] = ['imaps', 'imap', 'pop3s', 'pop3'];

/** DESIGN.md's standard ports (Exchange 2007's defaults). */
export const STANDARD_PORTS: Readonly<Record<ListenerName, number>> = {
  imaps: 993,
  imap: 143,
  pop3s: 995,
  pop3: 110,
};

export const TITLES: Readonly<Record<AnyListenerName, string>> = {
  imaps: 'IMAP over TLS',
  imap: 'IMAP with STARTTLS',
  pop3s: 'POP3 over TLS',
  pop3: 'POP3 with STLS',
  submissions: 'Submission over TLS',
  submission: 'Submission with STARTTLS',
};

export interface ListenerField {
  enabled: boolean;
  /** As typed. */
  port: string;
}

export interface FieldCheck {
  /** Blocks applying. */
  readonly error: string | null;
  /** Worth knowing, does not block. */
  readonly warning: string | null;
}

export function checkPorts(
  fields: Readonly<Record<ListenerName, ListenerField>>,
  adminPort: number | undefined,
): Record<ListenerName, FieldCheck> {
  const out = {} as Record<ListenerName, FieldCheck>;
  for (const name of LISTENERS) out[name] = checkPort(name, fields, adminPort);
  return out;
}

function checkPort(
  name: ListenerName,
  fields: Readonly<Record<ListenerName, ListenerField>>,
  adminPort: number | undefined,
): FieldCheck {
  const text = fields[name].port.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    return { error: 'Enter a port number from 1 to 65535.', warning: null };
  const port = Number(text);
  const other = LISTENERS.find(
    (o) => o !== name && fields[o].port.trim() !== '' && Number(fields[o].port) === port,
  );
  if (other) return { error: `Port ${port} is also set for ${TITLES[other]}.`, warning: null };
  if (port === adminPort)
    return { error: `Port ${port} is the settings page's own port.`, warning: null };
  if (port < 1024)
    return {
      error: null,
      warning: `Ports below 1024 need administrator rights on Linux and macOS; ${port + 10000} works without.`,
    };
  return { error: null, warning: null };
}
