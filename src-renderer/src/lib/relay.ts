/**
 * The relay form's pure rules: the standard port for each kind of security, the checks on what
 * the user typed, and the setRelay arguments built from it.
 */
import type { RelayView } from '../../../src-main/core/control/api.js';

export type RelaySecurity = RelayView['security'];

/** RFC 8314 §3.3 (465, implicit TLS) and RFC 6409 §3.1 (587, STARTTLS). */
export const RELAY_PORTS: Readonly<Record<RelaySecurity, number>> = { tls: 465, starttls: 587 };

/** The setting keys setRelay's errors may name, so each appears beside its field. */
export const RELAY_KEYS = ['relay.host', 'relay.port', 'relay.username'] as const;

export interface RelayFields {
  host: string;
  /** As typed. */
  port: string;
  security: RelaySecurity;
  username: string;
  /** Only sent when the user is setting a (new) password. */
  password: string;
  saveToSent: boolean;
}

export interface RelayChecks {
  readonly host: string | null;
  readonly port: string | null;
}

export function checkRelay(fields: Readonly<RelayFields>): RelayChecks {
  const port = fields.port.trim();
  return {
    host: fields.host.trim()
      ? null
      : "Enter your provider's outgoing server, like smtp.example.org.",
    port:
      /^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535
        ? null
        : `Enter a port number from 1 to 65535 (usually ${RELAY_PORTS[fields.security]}).`,
  };
}

/**
 * When the user switches the security and the port is the other kind's standard one, the port
 * follows (a provider's 465 is implicit TLS, its 587 STARTTLS).
 */
export function portForSecurity(port: string, security: RelaySecurity): string {
  const standard = Object.values(RELAY_PORTS).map(String);
  return port.trim() === '' || standard.includes(port.trim())
    ? String(RELAY_PORTS[security])
    : port;
}

/**
 * setRelay's arguments. `newPassword`: the user is typing a password (none saved yet, or
 * Change pressed); an empty one then keeps whatever is saved rather than removing it.
 */
export function relayArgs(fields: Readonly<RelayFields>, newPassword: boolean) {
  return {
    host: fields.host.trim(),
    port: Number(fields.port.trim()),
    security: fields.security,
    username: fields.username.trim(),
    saveToSent: fields.saveToSent,
    ...(newPassword && fields.password !== '' ? { password: fields.password } : {}),
  };
}

export function fieldsFrom(view: RelayView): RelayFields {
  return {
    host: view.host,
    port: String(view.port),
    security: view.security,
    username: view.username,
    password: '',
    saveToSent: view.saveToSent,
  };
}
