/**
 * Setting the relay (the provider's outgoing server) and the senders each account may use:
 * the operations the CLI and the ControlApi share. The password goes to the secret store,
 * never into settings.json.
 */
import { isIP } from 'node:net';
import { AccountError } from '../auth/accounts.js';
import { MAIL_ADDRESS, SUBMISSION_LISTENERS, type Settings } from '../config/schema.js';
import { SettingsError, type SettingsStore } from '../config/settings-store.js';
import { RELAY_PASSWORD_KEY, type SecretStore } from '../secrets/secret-store.js';

export interface RelayInput {
  readonly host: string;
  readonly port: number;
  readonly security: Settings['relay']['security'];
  readonly username: string;
  /** Undefined keeps the saved password; '' removes it. */
  readonly password?: string | undefined;
  readonly saveToSent?: boolean | undefined;
}

/** The relay as shown to the user: never the password, only whether one is saved and where. */
export interface RelayView {
  readonly configured: boolean;
  readonly host: string;
  readonly port: number;
  readonly security: Settings['relay']['security'];
  readonly username: string;
  readonly saveToSent: boolean;
  readonly passwordSaved: boolean;
  readonly passwordStore: string;
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?$/;

export async function showRelay(settings: SettingsStore, secrets: SecretStore): Promise<RelayView> {
  await settings.reloadIfChanged();
  const relay = settings.current.relay;
  return {
    configured: relay.host !== '',
    ...relay,
    passwordSaved: (await secrets.get(RELAY_PASSWORD_KEY)) !== undefined,
    passwordStore: secrets.description,
  };
}

export async function setRelay(
  settings: SettingsStore,
  secrets: SecretStore,
  input: RelayInput,
): Promise<RelayView> {
  const host = input.host.trim();
  if (!HOST_NAME.test(host) && isIP(host) === 0)
    throw new SettingsError(
      `relay.host: "${input.host}" is not a host name or IP address (e.g. smtp.example.org).`,
    );
  if (input.password !== undefined && /[\r\n]/.test(input.password))
    throw new SettingsError('The relay password must be one line.');
  await settings.update((draft) => {
    draft.relay = {
      host,
      port: input.port,
      security: input.security,
      username: input.username,
      saveToSent: input.saveToSent ?? draft.relay.saveToSent,
    };
  });
  if (input.password === '') await secrets.delete(RELAY_PASSWORD_KEY);
  else if (input.password !== undefined) await secrets.set(RELAY_PASSWORD_KEY, input.password);
  return showRelay(settings, secrets);
}

/** Forgets the relay and its password and turns the submission listeners off. */
export async function removeRelay(
  settings: SettingsStore,
  secrets: SecretStore,
): Promise<RelayView> {
  await settings.update((draft) => {
    draft.relay.host = '';
    draft.relay.username = '';
    for (const name of SUBMISSION_LISTENERS) draft.listeners[name].enabled = false;
  });
  await secrets.delete(RELAY_PASSWORD_KEY);
  return showRelay(settings, secrets);
}

/** Adds or removes an envelope sender of an account; returns the account's list. */
export async function changeSenders(
  settings: SettingsStore,
  accountName: string,
  address: string,
  change: 'add' | 'remove',
): Promise<string[]> {
  const wanted = address.trim();
  if (change === 'add' && !MAIL_ADDRESS.test(wanted))
    throw new AccountError('INVALID', `"${address}" is not an address like name@example.org.`);
  let result: string[] = [];
  await settings.update((draft) => {
    const account = draft.accounts.find((a) => a.name.toLowerCase() === accountName.toLowerCase());
    if (!account) throw new AccountError('NOT_FOUND', `There is no account named "${accountName}"`);
    const senders = account.senders ?? [];
    const same = (a: string): boolean => a.toLowerCase() === wanted.toLowerCase();
    if (change === 'add') {
      if (!senders.some(same)) senders.push(wanted);
    } else {
      if (!senders.some(same))
        throw new AccountError('NOT_FOUND', `${account.name} has no sender ${wanted}.`);
      senders.splice(senders.findIndex(same), 1);
    }
    account.senders = senders;
    result = [...senders];
  });
  return result;
}
