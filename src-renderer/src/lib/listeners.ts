/**
 * The six listeners in the window's words, and the checks on the ports a user types: a whole
 * number 1–65535, no port twice (nor the settings page's own), ports below 1024 flagged, and
 * no submission listener on while there is no relay to send through.
 */
import {
  LISTENER_NAMES,
  STANDARD_PORTS,
  SUBMISSION_LISTENERS as SUBMISSION,
  type ListenerName,
} from '../../../src-main/core/config/listener-names.js';

export { STANDARD_PORTS };

export const LISTENERS: readonly ListenerName[] = LISTENER_NAMES;

/** The listeners that only relay (issue 18): they cannot be on without a relay. */
export const SUBMISSION_LISTENERS: readonly ListenerName[] = SUBMISSION;

/** Why a submission listener cannot be turned on yet, in the window's words. */
export const NEEDS_RELAY =
  "Sending needs your provider's outgoing server first: set it on the Outgoing mail screen, then turn this on.";

export const TITLES: Readonly<Record<ListenerName, string>> = {
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

/** `hasRelay`: whether a relay is saved (without one a submission listener cannot be on). */
export function checkPorts(
  fields: Readonly<Record<ListenerName, ListenerField>>,
  adminPort: number | undefined,
  hasRelay = true,
): Record<ListenerName, FieldCheck> {
  const out = {} as Record<ListenerName, FieldCheck>;
  for (const name of LISTENERS) {
    const needsRelay = !hasRelay && fields[name].enabled && SUBMISSION_LISTENERS.includes(name);
    out[name] = needsRelay
      ? { error: NEEDS_RELAY, warning: null }
      : checkPort(name, fields, adminPort);
  }
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
