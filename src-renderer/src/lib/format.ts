/** Words for what the window shows: addresses, times, events. */
import type { ListenerStatus } from '../../../src-main/core/control/api.js';
import type { TimedEvent } from '../bridge-contract.js';
import { TITLES } from './listeners.js';

export function bindWords(address: string): string {
  if (address === '::' || address === '0.0.0.0') return 'all networks';
  if (address === '127.0.0.1' || address === '::1') return 'this computer only';
  return address.includes(':') ? `[${address}]` : address;
}

export function tlsWords(listener: Pick<ListenerStatus, 'name' | 'tls'>): string {
  if (listener.tls === 'implicit') return 'TLS from the first byte';
  return listener.name === 'pop3' ? 'plain, then STLS' : 'plain, then STARTTLS';
}

export function time(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

export function dateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function eventWords(event: TimedEvent): string {
  switch (event.type) {
    case 'listener': {
      const s = event.state;
      const name = TITLES[event.listener];
      if (s.status === 'listening') return `${name} is listening on port ${s.port}.`;
      if (s.status === 'failed') return `${name} could not start: ${s.error}`;
      return `${name} was switched off.`;
    }
    case 'connection-opened':
      return `${event.remoteAddress} connected to ${TITLES[event.listener]}.`;
    case 'connection-closed':
      return `Connection ${event.id} closed.`;
    case 'login':
      return event.ok
        ? `${event.remoteAddress} signed in as ${event.account}.`
        : `${event.remoteAddress} failed to sign in as ${event.account}.`;
    case 'new-mail':
      return `New mail for ${event.account} in ${event.mailbox} (${event.messages} messages).`;
    case 'settings-changed':
      return 'Settings were changed.';
    case 'queue-changed':
      return 'Outgoing mail waiting changed.';
    case 'progress':
      return `${event.task}: ${event.step}`;
  }
}

/** 1536 → "1.5 KB", in the units people read. */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
