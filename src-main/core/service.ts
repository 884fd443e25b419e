/**
 * MailportService: the composition root. It reads the settings, owns the listeners and the
 * protocol servers, and starts and stops them. The CLI, the admin server and the Electron
 * shell all drive Mailport through it.
 */
import type { SecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import { Accounts } from './auth/accounts.js';
import { dataPaths, type DataPaths } from './config/paths.js';
import { LISTENER_NAMES, type ListenerName, type Settings } from './config/schema.js';
import { SettingsStore } from './config/settings-store.js';
import { silentLogger, type Logger } from './log/logger.js';
import { bindHost } from './net/addresses.js';
import {
  Listener,
  upgradeToTls,
  type Connection,
  type ListenerState,
  type TlsMode,
} from './net/listener.js';
import { Pop3Server } from './pop3/server.js';
import type { Pop3Services } from './pop3/services.js';
import { MaildirStore } from './store/maildir/maildir-store.js';

/** Delay before answering a failed login (the throttling issue builds on this). */
export const FAILED_LOGIN_DELAY_MS = 1000;

const TLS_MODE: Readonly<Record<ListenerName, TlsMode>> = {
  imaps: 'implicit',
  imap: 'starttls',
  pop3s: 'implicit',
  pop3: 'starttls',
};

export const LISTENER_TITLES: Readonly<Record<ListenerName, string>> = {
  imaps: 'IMAP over TLS',
  imap: 'IMAP with STARTTLS',
  pop3s: 'POP3 over TLS',
  pop3: 'POP3 with STLS',
};

export interface ServiceOptions {
  readonly dataDir: string;
  readonly logger?: Logger;
  /** Wait after a failed login; tests shorten it. */
  readonly failedLoginDelayMs?: number;
}

export class MailportService {
  readonly paths: DataPaths;
  readonly settings: SettingsStore;
  readonly accounts: Accounts;
  readonly logger: Logger;
  readonly #pop3: Pop3Server;
  readonly #listeners = new Map<ListenerName, Listener>();
  readonly #failedLoginDelayMs: number;
  #secureContext: SecureContext | undefined;

  private constructor(paths: DataPaths, settings: SettingsStore, options: ServiceOptions) {
    this.paths = paths;
    this.settings = settings;
    this.accounts = new Accounts(settings);
    this.logger = options.logger ?? silentLogger();
    this.#failedLoginDelayMs = options.failedLoginDelayMs ?? FAILED_LOGIN_DELAY_MS;
    this.#pop3 = new Pop3Server(this.#pop3Services());
  }

  static async open(options: ServiceOptions): Promise<MailportService> {
    const paths = dataPaths(options.dataDir);
    const settings = await SettingsStore.open(paths.settings);
    return new MailportService(paths, settings, options);
  }

  /** The TLS certificate and key used by implicit-TLS ports and STARTTLS/STLS. */
  setSecureContext(context: SecureContext | undefined): void {
    this.#secureContext = context;
  }

  /** Starts every enabled listener; a listener that cannot bind is reported, not thrown. */
  async start(): Promise<Record<ListenerName, ListenerState>> {
    const settings = this.settings.current;
    for (const name of LISTENER_NAMES) {
      if (!settings.listeners[name].enabled) continue;
      const listener = new Listener(
        {
          name,
          port: settings.listeners[name].port,
          host: bindHost(settings.bind.address),
          tls: TLS_MODE[name],
        },
        () => this.#secureContext,
        (connection) => this.#route(name, connection),
      );
      this.#listeners.set(name, listener);
      const state = name.startsWith('imap') ? notYetImap() : await listener.start();
      this.logger.info({ listener: name, ...state }, 'listener');
    }
    return this.listenerStates();
  }

  listenerStates(): Record<ListenerName, ListenerState> {
    const states = {} as Record<ListenerName, ListenerState>;
    for (const name of LISTENER_NAMES) {
      const listener = this.#listeners.get(name);
      states[name] = !listener
        ? { status: 'stopped' }
        : name.startsWith('imap')
          ? notYetImap()
          : listener.state;
    }
    return states;
  }

  /** Stops listening, says goodbye to every session and waits for them to end. */
  async stop(): Promise<void> {
    const listeners = [...this.#listeners.values()];
    this.#listeners.clear();
    await Promise.all(listeners.map((l) => l.stop()));
    await this.#pop3.close();
    for (const listener of listeners) listener.destroyConnections();
  }

  #route(name: ListenerName, connection: Connection): void {
    const settings = this.settings.current;
    if (name === 'pop3' || name === 'pop3s') {
      this.#pop3.accept(connection.socket, {
        secure: connection.secure,
        protocolLog: settings.logging.protocolLog,
        ...(!connection.secure &&
          this.#secureContext && {
            upgradeToTls: (s: Socket) => upgradeToTls(s, this.#secureContext),
          }),
      });
    } else {
      connection.socket.destroy();
    }
  }

  #pop3Services(): Pop3Services {
    return {
      logger: this.logger,
      authenticate: (user, password, remoteAddress) =>
        this.#authenticate(user, password, remoteAddress),
      openStore: (account) => new MaildirStore(account.maildir),
      policy: () => loginPolicy(this.settings.current),
    };
  }

  async #authenticate(user: string, password: string, remoteAddress: string) {
    const account = await this.accounts.authenticate(user, password);
    if (!account) {
      this.logger.info({ user, remote: remoteAddress }, 'login failed');
      await new Promise((resolve) => setTimeout(resolve, this.#failedLoginDelayMs));
    }
    return account;
  }
}

function loginPolicy(settings: Settings) {
  return {
    loginPolicy: settings.security.loginPolicy,
    preauthTimeoutMs: settings.limits.preauthTimeoutSeconds * 1000,
    idleTimeoutMs: settings.limits.idleTimeoutSeconds * 1000,
  };
}

function notYetImap(): ListenerState {
  return {
    status: 'failed',
    error: 'IMAP is not available in this build yet.',
    remedy: 'Use POP3 for now; IMAP arrives in the next release.',
  };
}
