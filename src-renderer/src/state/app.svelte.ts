/**
 * The window's state: which screen is open (from the address's #fragment, so Back works and a
 * screen can be linked), whether Mailport answers and this browser may ask it, and one state
 * object per screen, all fed by one event subscription.
 */
import { connectBridge, type MailportBridge } from '../bridge.js';
import { AccountsState } from './accounts.svelte.js';
import { errorCode, plainError } from './action.svelte.js';
import { CertificateState } from './certificate.svelte.js';
import { LogsState } from './logs.svelte.js';
import { MailState } from './mail.svelte.js';
import { PhoneSetupState } from './phone-setup.svelte.js';
import { ProtocolsForm } from './protocols.svelte.js';
import { RelayForm } from './relay.svelte.js';
import { SecurityForm } from './security.svelte.js';
import { SettingsState } from './settings.svelte.js';
import { StatusState } from './status.svelte.js';

export const SCREENS = [
  { id: 'dashboard', title: 'Dashboard' },
  { id: 'protocols', title: 'Protocols and ports' },
  { id: 'outgoing', title: 'Outgoing mail' },
  { id: 'security', title: 'Security' },
  { id: 'certificate', title: 'Certificate' },
  { id: 'accounts', title: 'Accounts' },
  { id: 'mail', title: 'Mail' },
  { id: 'logs', title: 'Logs' },
] as const;
export type ScreenId = (typeof SCREENS)[number]['id'];

/** `loading` until the first answer; `unauthorized` and `offline` replace every screen. */
export type Access = 'loading' | 'ok' | 'unauthorized' | 'offline';

export class AppState {
  screen = $state<ScreenId>(screenFromHash());
  access = $state<Access>('loading');
  accessMessage = $state('');
  /** False while the event stream is down (it reconnects by itself). */
  live = $state(true);

  readonly bridge: MailportBridge;
  readonly status: StatusState;
  readonly settings: SettingsState;
  readonly protocols: ProtocolsForm;
  readonly security: SecurityForm;
  readonly relay: RelayForm;
  readonly accounts: AccountsState;
  readonly certificate: CertificateState;
  readonly phone: PhoneSetupState;
  readonly mail: MailState;
  readonly logs: LogsState;

  constructor(bridge: MailportBridge = connectBridge()) {
    this.bridge = bridge;
    this.status = new StatusState(bridge);
    this.settings = new SettingsState(bridge, this.status);
    this.protocols = new ProtocolsForm(this.settings);
    this.security = new SecurityForm(this.settings);
    this.relay = new RelayForm(bridge, this.settings);
    this.accounts = new AccountsState(bridge);
    this.certificate = new CertificateState(bridge);
    this.phone = new PhoneSetupState(bridge);
    this.mail = new MailState(bridge);
    this.logs = new LogsState(bridge);
  }

  /** Loads what every screen needs and follows events; returns the function that stops. */
  start(): () => void {
    const onHash = (): void => {
      this.screen = screenFromHash();
    };
    window.addEventListener('hashchange', onHash);
    void this.reload();
    const unsubscribe = this.bridge.onEvent(
      (event) => {
        this.status.onEvent(event);
        this.mail.onEvent(event);
        // Accounts and their senders live in the settings file too (the CLI edits it).
        if (event.type === 'settings-changed')
          void Promise.all([this.settings.load(), this.accounts.load()]).catch(() => undefined);
      },
      (connected) => {
        const wasDown = !this.live;
        this.live = connected;
        if (connected && (wasDown || this.access !== 'ok')) void this.reload();
      },
    );
    return () => {
      window.removeEventListener('hashchange', onHash);
      unsubscribe();
    };
  }

  async reload(): Promise<void> {
    try {
      await Promise.all([this.status.refresh(), this.settings.load(), this.accounts.load()]);
      this.access = 'ok';
    } catch (err) {
      const code = errorCode(err);
      this.access = code === 'UNAUTHORIZED' ? 'unauthorized' : 'offline';
      this.accessMessage = plainError(err);
    }
  }
}

function screenFromHash(): ScreenId {
  const id = location.hash.replace(/^#\/?/, '');
  return SCREENS.find((s) => s.id === id)?.id ?? 'dashboard';
}
