/**
 * Which service events deserve a desktop notification: a listener that fails, and a device
 * signing in to an account for the first time. Pure apart from `KnownDevices`, so tested
 * under Node; main.ts shows what this returns.
 */
import type { KnownDevices } from '../core/known-devices.js';
import type { ServiceEvent } from '../core/events.js';
import { LISTENER_TITLES } from '../core/service.js';

export interface DesktopNotice {
  readonly title: string;
  readonly body: string;
}

export function noticeFor(event: ServiceEvent, devices: KnownDevices): DesktopNotice | undefined {
  if (event.type === 'listener' && event.state.status === 'failed') {
    return {
      title: `${LISTENER_TITLES[event.listener]} could not start`,
      body: `${event.state.error} ${event.state.remedy}`.trim(),
    };
  }
  if (event.type === 'login' && event.ok && devices.remember(event.account, event.remoteAddress)) {
    return {
      title: 'A new device signed in',
      body: `${event.remoteAddress} signed in to "${event.account}". If that was not you, reset the password in Mailport.`,
    };
  }
  return undefined;
}
