/**
 * MailportService: the composition root. It reads the settings, owns the listeners and the
 * protocol servers, and starts and stops them. The CLI, the admin server and the Electron
 * shell all drive Mailport through it.
 */
import type { SecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import type { MaildirProblem } from './control/api.js';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Accounts } from './auth/accounts.js';
import { ServiceEvents } from './events.js';
import type { EnsureResult } from './certs/index.js';
import { addDays } from './certs/days.js';
import { createSecureContext, loadTlsMaterial } from './certs/tls-context.js';
import {
  CERTIFICATE_CHECK_MS,
  FIRST_CERTIFICATE_CHECK_MS,
  RENEW_BEFORE_DAYS,
} from './certs/schedule.js';
import { sealCaKey, type KeyVault } from './certs/key-vault.js';
import type { LoginClient, LoginResult } from './auth/login-result.js';
import { FAILED_LOGIN_DELAY_MS, LoginThrottle } from './auth/throttle.js';
import { dataPaths, type DataPaths } from './config/paths.js';
import {
  LISTENER_NAMES,
  SUBMISSION_LISTENERS,
  type ListenerName,
  type Settings,
} from './config/schema.js';
import { SettingsStore } from './config/settings-store.js';
import { silentLogger, type Logger } from './log/logger.js';
import { ProtocolLogs } from './log/protocol-log.js';
import { logRotation } from './log/rotate.js';
import { bindHost, hostName } from './net/addresses.js';
import { ConnectionAdmission, type AdmissionTicket } from './net/admission.js';
import { Refusals } from './net/refusals.js';
import {
  Listener,
  upgradeToTls,
  type Connection,
  type ListenerState,
  type TlsMode,
} from './net/listener.js';
import { Pop3Server } from './pop3/server.js';
import { ImapServer } from './imap/server.js';
import type { ImapServices } from './imap/services.js';
import type { Pop3Services } from './pop3/services.js';
import {
  MaildirStore,
  type FullTextOptions,
  type SkippedFolder,
} from './store/maildir/maildir-store.js';
import type { PhoneSetupPage } from './phone/setup-page-server.js';
import type { SubmissionEndpoint } from './phone/account-settings.js';
import { FileSecretStore } from './secrets/file-store.js';
import { RELAY_PASSWORD_KEY, type SecretStore } from './secrets/secret-store.js';
import { SubmissionQueue, type QueueSummary } from './submission/queue.js';
import { RelayDelivery } from './submission/delivery.js';
import type { RelayConfig } from './submission/relay-client.js';
import type { SubmissionServer } from './submission/server.js';
import { MailIndexer } from './mail-indexer.js';

/** The full-text index's segments, a directory per folder, under the data dir (disposable). */
export const FULL_TEXT_DIR = 'fulltext';
/** How often a listener that could not bind (its port taken) tries again. */
export const LISTENER_RETRY_MS = Number(process.env.MAILPORT_LISTENER_RETRY_MS) || 5_000;

/** How each listener starts TLS; the one table the listeners and the status both read. */
export const TLS_MODE: Readonly<Record<ListenerName, TlsMode>> = {
  imaps: 'implicit',
  imap: 'starttls',
  pop3s: 'implicit',
  pop3: 'starttls',
  submissions: 'implicit',
  submission: 'starttls',
};

const TLS_SUBMISSION: ReadonlySet<ListenerName> = new Set(SUBMISSION_LISTENERS);

export const LISTENER_TITLES: Readonly<Record<ListenerName, string>> = {
  imaps: 'IMAP over TLS',
  imap: 'IMAP with STARTTLS',
  pop3s: 'POP3 over TLS',
  pop3: 'POP3 with STLS',
  submissions: 'Submission over TLS',
  submission: 'Submission with STARTTLS',
};

export interface OpenConnection {
  readonly id: number;
  readonly listener: ListenerName;
  readonly remoteAddress: string;
  readonly since: string;
  /** Set once the client has logged in. */
  account?: string;
}

export interface ServiceOptions {
  readonly dataDir: string;
  readonly logger?: Logger;
  /** Wait after a failed login; tests shorten it. */
  readonly failedLoginDelayMs?: number;
  /** The desktop app's keychain: the CA key is sealed into it (certs/key-vault.ts). */
  readonly keyVault?: KeyVault;
  /** How long the phone setup page stays open (ten minutes; env MAILPORT_PHONE_SETUP_TTL_MS). */
  readonly phoneSetupTtlMs?: number;
  /** Where the relay password is kept (default: the 0600 file in the data dir). */
  readonly secrets?: SecretStore;
}

export class MailportService {
  readonly paths: DataPaths;
  readonly settings: SettingsStore;
  readonly accounts: Accounts;
  readonly logger: Logger;
  readonly keyVault: KeyVault | undefined;
  readonly secrets: SecretStore;
  readonly #queue: SubmissionQueue;
  readonly #delivery: RelayDelivery;
  readonly #submission = new Map<ListenerName, SubmissionServer>();
  readonly #pop3: Pop3Server;
  readonly #imap: ImapServer;
  readonly #listeners = new Map<ListenerName, Listener>();
  readonly #failedLoginDelayMs: number;
  #secureContext: SecureContext | undefined;
  readonly #throttle = new LoginThrottle();
  readonly events = new ServiceEvents();
  readonly #open = new Map<number, OpenConnection>();
  readonly #openByPeer = new Map<string, number>();
  readonly #indexer: MailIndexer;
  readonly #startedAt = new Date();
  readonly #accountSessions = new Map<string, number>();
  readonly #admission = new ConnectionAdmission(() => this.settings.current.limits);
  readonly #tickets = new Map<number, AdmissionTicket>();
  readonly #refusals: Refusals;
  readonly #missingMaildirs = new Set<string>();
  readonly #skippedFolders = new Set<string>();
  /** Signed-in sessions by account (lower case), with the password hash they signed in with. */
  readonly #signedIn = new Map<string, Set<{ hash: string; end: (reason: string) => void }>>();
  #renewTimer: NodeJS.Timeout | undefined;
  #firstCheckTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #applying = false;
  #loadedFingerprint: string | undefined;
  #tlsMinVersion: string | undefined;
  #serving = true;
  readonly #protocolLogs: ProtocolLogs;
  readonly #phoneSetupTtlMs: number | undefined;
  #phoneSetup: PhoneSetupPage | undefined;
  /** smtp-server and the submission session, loaded before a submission listener binds. */
  #submissionModule: typeof import('./submission/server.js') | undefined;

  private constructor(paths: DataPaths, settings: SettingsStore, options: ServiceOptions) {
    this.paths = paths;
    this.settings = settings;
    this.accounts = new Accounts(settings);
    this.logger = options.logger ?? silentLogger();
    this.#refusals = new Refusals(this.logger);
    this.keyVault = options.keyVault;
    this.#failedLoginDelayMs = options.failedLoginDelayMs ?? FAILED_LOGIN_DELAY_MS;
    this.#phoneSetupTtlMs =
      options.phoneSetupTtlMs ?? (Number(process.env.MAILPORT_PHONE_SETUP_TTL_MS) || undefined);
    this.#protocolLogs = new ProtocolLogs(paths.logsDir, logRotation(settings.current));
    this.secrets = options.secrets ?? new FileSecretStore(paths.secrets);
    this.#queue = new SubmissionQueue(paths.queueDir);
    this.#delivery = new RelayDelivery({
      queue: this.#queue,
      relay: () => this.relayConfig(),
      storeFor: (name) => {
        const account = this.accounts.find(name);
        return account && new MaildirStore(account.maildir);
      },
      saveToSent: () => this.settings.current.relay.saveToSent,
      hostName: hostName(),
      logger: this.logger,
      changed: () => this.events.emit({ type: 'queue-changed' }),
    });
    this.#pop3 = new Pop3Server(this.#protocolServices());
    this.#imap = new ImapServer(this.#protocolServices());
    this.#indexer = new MailIndexer({
      events: this.events,
      logger: this.logger,
      onMaildirProblem: () => void this.maildirProblems(),
      fullText: () => this.#fullTextOptions(),
    });
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

  /**
   * Makes sure a certificate exists for this machine's current names (created on first need,
   * re-issued when the LAN addresses change or expiry nears) and loads it. A failure leaves the
   * TLS listeners failed with a remedy; plain listeners still serve.
   */
  async prepareTls(onProgress?: (step: string) => void): Promise<EnsureResult | undefined> {
    try {
      if (this.keyVault && (await sealCaKey(this.paths.certsDir, this.keyVault)))
        this.logger.info({ vault: this.keyVault.name }, 'CA key moved into the keychain');
      // Loaded here, not at start (issue 16). Checking reads certificates without node-forge
      // (certs/der.ts); ensure.ts loads forge only to make one.
      const [{ ensureCertificate }, { currentMachineNames }] = await Promise.all([
        import('./certs/ensure.js'),
        import('./certs/names.js'),
      ]);
      const result = await ensureCertificate(this.paths.certsDir, currentMachineNames(), {
        ...(this.keyVault && { vault: this.keyVault }),
        onProgress: (step) => {
          this.events.emit({ type: 'progress', task: 'certificate', step });
          onProgress?.(step);
        },
      });
      // Reloaded when the files hold another certificate (issued here, or by `mailport cert renew`).
      if (result.info.fingerprintSha256 === this.#loadedFingerprint && this.#secureContext)
        return result;
      const material = await loadTlsMaterial(this.paths.certsDir);
      if (!material) throw new Error('certificate files missing after creation');
      const minVersion = this.settings.current.security.tlsMinVersion;
      this.#tlsMinVersion = minVersion;
      // New connections get the new certificate; open sessions keep theirs.
      this.#secureContext = createSecureContext(material, { minVersion });
      this.#loadedFingerprint = result.info.fingerprintSha256;
      if (result.blocked) this.logger.warn({ reason: result.blocked }, 'certificate not re-issued');
      if (result.created !== 'none')
        this.logger.info({ created: result.created, reason: result.reason }, 'certificate issued');
      return result;
    } catch (err) {
      this.logger.error({ err }, 'TLS certificate unavailable');
      return undefined;
    }
  }

  /** Starts every enabled listener; a listener that cannot bind is reported, not thrown. */
  async start(): Promise<Record<ListenerName, ListenerState>> {
    if (!this.#secureContext && (await this.#serveCertificateOnDisk()))
      this.#firstCheckTimer = setTimeout(
        () => void this.prepareTls(),
        FIRST_CERTIFICATE_CHECK_MS,
      ).unref();
    else if (!this.#secureContext) await this.prepareTls();
    await this.#protocolLogs.rotate();
    await this.#delivery.start();
    this.#renewTimer ??= setInterval(() => void this.prepareTls(), CERTIFICATE_CHECK_MS).unref();
    this.#retryTimer ??= setInterval(() => void this.#retryFailed(), LISTENER_RETRY_MS).unref();
    // Listeners first: a phone is served at once, sooner where indexing has been (issue 16).
    const states = await this.applySettings();
    this.#indexer.start(this.accounts.list());
    return states;
  }

  /**
   * Loads the certificate and key on disk if they belong together and the certificate is not
   * due for renewal, without checking its names or CA (that comes FIRST_CERTIFICATE_CHECK_MS
   * later): what the last run served is served again at once, and
   * replaced on the live listeners if the check re-issues it. Otherwise (a first run, damaged
   * files, expiry near) false, and `start` runs the full check before binding.
   */
  async #serveCertificateOnDisk(): Promise<boolean> {
    const material = await loadTlsMaterial(this.paths.certsDir).catch(() => undefined);
    if (!material || material.notAfter <= addDays(new Date(), RENEW_BEFORE_DAYS)) return false;
    const minVersion = this.settings.current.security.tlsMinVersion;
    this.#tlsMinVersion = minVersion;
    this.#secureContext = createSecureContext(material, { minVersion });
    this.#loadedFingerprint = material.fingerprintSha256;
    return true;
  }

  /** Settles when the background indexing started by `start` has been over every folder. */
  indexed(): Promise<void> {
    return this.#indexer.done();
  }

  /**
   * Brings the listeners in line with the settings: a listener whose port, address or
   * enabled state changed is rebound; the others, and their sessions, are left alone. The
   * login policy, limits and timeouts are read per connection, so they apply at once.
   */
  async applySettings(): Promise<Record<ListenerName, ListenerState>> {
    this.endRevokedSessions();
    const settings = this.settings.current;
    if (this.logger.level !== 'silent') this.logger.level = settings.logging.level;
    const minVersion = settings.security.tlsMinVersion;
    if (minVersion !== this.#tlsMinVersion) {
      this.#tlsMinVersion = minVersion;
      this.#loadedFingerprint = undefined; // rebuild the context with the new minimum
      await this.prepareTls();
    }
    for (const name of LISTENER_NAMES) {
      const wanted = settings.listeners[name];
      const spec = {
        name,
        port: wanted.port,
        host: bindHost(settings.bind.address),
        tls: TLS_MODE[name],
      };
      const current = this.#listeners.get(name);
      const before = current?.state;
      const same = current && current.spec.port === spec.port && current.spec.host === spec.host;
      // Submission only relays: without a relay it stays off (config/feasible.ts says so).
      const relayable = !TLS_SUBMISSION.has(name) || settings.relay.host !== '';
      const on = wanted.enabled && this.#serving && relayable;
      if (on && same && current.state.status === 'listening') continue;
      if (current) {
        current.stop();
        if (!this.#serving) current.destroyConnections();
        this.#listeners.delete(name);
        if (before?.status !== 'failed' || !on)
          this.events.emit({ type: 'listener', listener: name, state: { status: 'stopped' } });
      }
      if (!on) continue;
      // Loaded only when a submission listener is on: most servers never need it (issue 16).
      if (TLS_SUBMISSION.has(name))
        this.#submissionModule ??= await import('./submission/server.js');
      const listener = new Listener(
        spec,
        () => this.#secureContext,
        (socket) => this.#admit(name, socket),
        (connection) => this.#route(name, connection),
      );
      this.#listeners.set(name, listener);
      const state = await listener.start();
      // A retry that fails the same way again is not news.
      const again =
        state.status === 'failed' && before?.status === 'failed' && before.error === state.error;
      if (again) continue;
      if (state.status === 'failed')
        this.logger.error({ listener: name, ...state }, 'listener failed');
      else this.logger.info({ listener: name, ...state }, 'listener');
      this.events.emit({ type: 'listener', listener: name, state });
    }
    this.#delivery.kick(); // the relay may have been set or changed
    return this.listenerStates();
  }

  /** The relay as configured now, with its password from the secret store; none without a host. */
  async relayConfig(): Promise<RelayConfig | undefined> {
    await this.settings.reloadIfChanged(); // `mailport relay set` may have run meanwhile
    const relay = this.settings.current.relay;
    if (!relay.host) return undefined;
    return {
      host: relay.host,
      port: relay.port,
      security: relay.security,
      username: relay.username,
      password: await this.secrets.get(RELAY_PASSWORD_KEY),
    };
  }

  /** The outgoing queue: how many messages wait, the oldest, the last error. */
  queueSummary(): Promise<QueueSummary> {
    return this.#queue.summary();
  }

  /** Tries the waiting messages now (after the relay or its password changed). */
  retryQueue(): void {
    this.#delivery.kick(true);
  }

  /**
   * Ends every session whose account was removed or whose password changed since it signed
   * in: a lost phone must not keep reading mail (IMAP gets BYE; POP3 ends without UPDATE, so
   * nothing it marked is deleted). Called whenever the settings change.
   */
  endRevokedSessions(): void {
    for (const [key, sessions] of this.#signedIn) {
      const account = this.accounts.find(key);
      for (const session of sessions) {
        if (account && account.passwordHash === session.hash) continue;
        sessions.delete(session);
        this.logger.info({ account: key }, 'session ended: account changed or removed');
        session.end('The account was changed or removed: sign in again.');
      }
      if (sessions.size === 0) this.#signedIn.delete(key);
    }
  }

  /** A folder no client can see is logged once per run, with why (issue: a silent gap in LIST). */
  #reportSkipped(maildir: string, folder: SkippedFolder): void {
    const key = join(maildir, folder.dir);
    if (this.#skippedFolders.has(key)) return;
    this.#skippedFolders.add(key);
    this.logger.warn({ maildir, folder: folder.dir, reason: folder.reason }, 'folder not served');
  }

  /** Binds again the enabled listeners that failed (a port another program has let go). */
  async #retryFailed(): Promise<void> {
    if (!this.#serving || this.#applying) return;
    const failed = [...this.#listeners.values()].some((l) => l.state.status === 'failed');
    if (!failed) return;
    this.#applying = true;
    try {
      await this.applySettings();
    } finally {
      this.#applying = false;
    }
  }

  /** Whether the listeners are meant to be up (the tray's "Stop serving" turns this off). */
  get serving(): boolean {
    return this.#serving;
  }

  /**
   * Stops or restarts serving without quitting: off closes every listener and its sessions
   * (clients see a dropped connection, as when the computer sleeps; nothing is deleted);
   * on binds the enabled listeners again. Settings changes made meanwhile apply on restart.
   */
  async setServing(on: boolean): Promise<Record<ListenerName, ListenerState>> {
    this.#serving = on;
    return this.applySettings();
  }

  /**
   * Accounts whose Maildir is missing. Each one that goes missing is logged as an error once
   * (and again if it comes back and goes again): IMAP and POP3 clients only see NO answers.
   */
  async maildirProblems(): Promise<MaildirProblem[]> {
    const problems: MaildirProblem[] = [];
    for (const account of this.accounts.list()) {
      const present = await isMaildirRoot(account.maildir);
      if (present) {
        this.#missingMaildirs.delete(account.maildir);
        continue;
      }
      const problem = `the Maildir ${account.maildir} does not exist: restore it, or remove the account and add it again with the right folder.`;
      problems.push({ account: account.name, maildir: account.maildir, problem });
      if (this.#missingMaildirs.has(account.maildir)) continue;
      this.#missingMaildirs.add(account.maildir);
      this.logger.error(
        { account: account.name, maildir: account.maildir },
        `Maildir of ${account.name} does not exist`,
      );
    }
    return problems;
  }

  /** Open connections, oldest first. */
  connections(): OpenConnection[] {
    return [...this.#open.values()];
  }

  get startedAt(): Date {
    return this.#startedAt;
  }

  listenerStates(): Record<ListenerName, ListenerState> {
    const states = {} as Record<ListenerName, ListenerState>;
    for (const name of LISTENER_NAMES) {
      states[name] = this.#listeners.get(name)?.state ?? { status: 'stopped' };
    }
    return states;
  }

  /**
   * Opens the phone setup page for an account (undefined when there is no such account),
   * closing the one open before: the service owns at most one.
   */
  async openPhoneSetup(accountName: string): Promise<PhoneSetupPage | undefined> {
    const account = this.accounts.find(accountName);
    if (!account) return undefined;
    await this.closePhoneSetup();
    await this.prepareTls(); // the CA exists before it is offered
    const imaps = this.#listeners.get('imaps')?.state;
    // The page (its server, the .mobileconfig writer) is loaded when first opened (issue 16).
    const { openPhoneSetupPage } = await import('./phone/open.js');
    const page: PhoneSetupPage = await openPhoneSetupPage({
      account: account.name,
      certsDir: this.paths.certsDir,
      imapsPort:
        imaps?.status === 'listening' ? imaps.port : this.settings.current.listeners.imaps.port,
      submission: this.#submissionEndpoint(),
      bindAddress: this.settings.current.bind.address,
      port: this.settings.current.phoneSetup.port,
      checkPassword: async (password) =>
        !!(await this.accounts.authenticate(account.name, password)),
      logger: this.logger,
      ...(this.#phoneSetupTtlMs !== undefined && { ttlMs: this.#phoneSetupTtlMs }),
      onClose: () => {
        if (this.#phoneSetup === page) this.#phoneSetup = undefined;
      },
    });
    this.#phoneSetup = page;
    return page;
  }

  /** The submission listener phones should send through: 465 first (RFC 8314 §3.3), then 587. */
  #submissionEndpoint(): SubmissionEndpoint | undefined {
    if (!this.settings.current.relay.host) return undefined;
    const order = [
      ['submissions', 'tls'],
      ['submission', 'starttls'],
    ] as const;
    for (const [name, security] of order) {
      const state = this.#listeners.get(name)?.state;
      if (state?.status === 'listening') return { port: state.port, security };
    }
    return undefined;
  }

  /** The open phone setup page, if any. */
  get phoneSetup(): PhoneSetupPage | undefined {
    return this.#phoneSetup;
  }

  /** Closes the phone setup page ("Done"); false when none was open. */
  async closePhoneSetup(): Promise<boolean> {
    const page = this.#phoneSetup;
    this.#phoneSetup = undefined;
    await page?.close();
    return !!page;
  }

  /** Stops listening, says goodbye to every session and waits for them to end. */
  async stop(): Promise<void> {
    await this.closePhoneSetup();
    clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
    clearTimeout(this.#firstCheckTimer);
    this.#firstCheckTimer = undefined;
    clearInterval(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#indexer.stop();
    const listeners = [...this.#listeners.values()];
    this.#listeners.clear();
    for (const listener of listeners) listener.stop();
    await Promise.all([
      this.#pop3.close(),
      this.#imap.close(),
      ...[...this.#submission.values()].map((server) => server.close()),
    ]);
    this.#submission.clear();
    await this.#delivery.stop();
    for (const listener of listeners) listener.destroyConnections();
    this.#protocolLogs.flush();
  }

  #route(name: ListenerName, connection: Connection): void {
    const { ticket } = connection;
    const session = { id: ticket.id, remoteAddress: ticket.address };
    const options = {
      secure: connection.secure,
      acceptedAt: ticket.acceptedAt,
      ...(this.settings.current.listeners[name].protocolLog && {
        protocolLog: this.#protocolLogs.forSession(name, session),
      }),
      ...(!connection.secure &&
        this.#secureContext && {
          upgradeToTls: (s: Socket) => upgradeToTls(s, this.#secureContext),
        }),
    };
    if (TLS_SUBMISSION.has(name)) {
      const session = this.#submissionServer(name).accept(
        connection.socket,
        ticket.id,
        options.protocolLog,
      );
      ticket.onEvict((reason) => session.shutdown(reason));
      return;
    }
    const protocolSession =
      name === 'pop3' || name === 'pop3s'
        ? this.#pop3.accept(connection.socket, options)
        : this.#imap.accept(connection.socket, options);
    // Evicted for a newcomer (net/admission.ts): a goodbye in the protocol's words.
    ticket.onEvict((reason) => protocolSession.shutdown(reason));
  }

  /** One smtp-server per submission listener, made on its first connection. */
  #submissionServer(name: ListenerName): SubmissionServer {
    let server = this.#submission.get(name);
    if (server) return server;
    const loaded = this.#submissionModule;
    if (!loaded) throw new Error('submission connection before its module was loaded');
    server = new loaded.SubmissionServer(
      {
        logger: this.logger,
        hostName: hostName(),
        authenticate: (user, password, client) => this.#authenticate(user, password, client),
        findAccount: (name) => this.accounts.find(name),
        secureContext: () => this.#secureContext,
        policy: () => protocolPolicy(this.settings.current),
        enqueue: async (message, envelope) => {
          await this.#queue.add(message, envelope);
          this.logger.info(
            { account: envelope.account, bytes: message.length },
            'submission queued',
          );
          this.events.emit({ type: 'queue-changed' });
          this.#delivery.kick();
        },
      },
      { implicitTls: TLS_MODE[name] === 'implicit' },
    );
    this.#submission.set(name, server);
    return server;
  }

  #protocolServices(): Pop3Services & ImapServices {
    return {
      logger: this.logger,
      authenticate: (user, password, remoteAddress) =>
        this.#authenticate(user, password, remoteAddress),
      openStore: (account) =>
        new MaildirStore(account.maildir, {
          indexer: this.#indexer.pool,
          onSkippedFolder: (folder) => this.#reportSkipped(account.maildir, folder),
          fullText: this.#fullTextOptions(),
        }),
      policy: () => protocolPolicy(this.settings.current),
    };
  }

  /** The full-text index's place in the data dir, unless the settings turn it off. */
  #fullTextOptions(): FullTextOptions | undefined {
    if (!this.settings.current.imap.fullTextIndex) return undefined;
    return {
      dir: join(this.paths.dataDir, FULL_TEXT_DIR),
      onBuilt: (built) => {
        this.logger.info(built, 'full-text index up to date');
        this.events.emit({
          type: 'progress',
          task: 'search index',
          step: `${built.mailbox}: ${built.covered} of ${built.messages} messages indexed`,
          done: built.covered,
          total: built.messages,
        });
      },
    };
  }

  /** Throttling, the password, then the per-account session limit (DESIGN.md security defaults). */
  async #authenticate(user: string, password: string, client: LoginClient): Promise<LoginResult> {
    // A slot is taken before the password is checked: parallel attempts beyond the allowance
    // wait their turn (until the client leaves, e.g. at the pre-login deadline).
    const attempt = await this.#throttle.acquire(client.remoteAddress, user, client.closed);
    if (!attempt.allowed) {
      this.logger.info(
        { user, remote: client.remoteAddress, scope: attempt.scope, busy: attempt.busy === true },
        'login throttled',
      );
      return {
        ok: false,
        reason: 'throttled',
        retryAfterSeconds: Math.ceil(attempt.retryAfterMs / 1000),
        scope: attempt.scope,
        ...(attempt.busy && { busy: true }),
      };
    }
    let account;
    try {
      account = await this.accounts.authenticate(user, password);
    } catch (err) {
      attempt.abandon(); // a server error is not the client's failure
      throw err;
    }
    if (!account) {
      attempt.failed();
      this.logger.info({ user, remote: client.remoteAddress }, 'login failed');
      this.events.emit({
        type: 'login',
        ok: false,
        account: user,
        remoteAddress: client.remoteAddress,
      });
      await new Promise((resolve) => setTimeout(resolve, this.#failedLoginDelayMs));
      return { ok: false, reason: 'credentials' };
    }
    attempt.succeeded();
    const limit = this.settings.current.limits.maxConnectionsPerAccount;
    const open = this.#accountSessions.get(account.name) ?? 0;
    if (open >= limit) return { ok: false, reason: 'too-many-sessions', limit };
    this.#accountSessions.set(account.name, open + 1);
    const key = account.name.toLowerCase();
    const session = { hash: account.passwordHash, end: client.end };
    const sessions = this.#signedIn.get(key) ?? new Set();
    this.#signedIn.set(key, sessions.add(session));
    void client.closed.finally(() => {
      sessions.delete(session);
      if (sessions.size === 0 && this.#signedIn.get(key) === sessions) this.#signedIn.delete(key);
      const left = (this.#accountSessions.get(account.name) ?? 1) - 1;
      if (left > 0) this.#accountSessions.set(account.name, left);
      else this.#accountSessions.delete(account.name);
    });
    this.logger.info({ user: account.name, remote: client.remoteAddress }, 'login');
    const peer = this.#openByPeer.get(`${client.remoteAddress}:${client.remotePort}`);
    const connection = peer === undefined ? undefined : this.#open.get(peer);
    if (connection) connection.account = account.name;
    if (peer !== undefined) this.#tickets.get(peer)?.authenticated();
    this.events.emit({
      type: 'login',
      ok: true,
      account: account.name,
      remoteAddress: client.remoteAddress,
    });
    return { ok: true, account };
  }

  /**
   * Total and per-address caps (net/admission.ts), taken when the socket is accepted, before
   * any TLS handshake. Refused in the protocol's words on a plain port; on an implicit-TLS
   * port the socket is closed at once, with no TLS work spent on it.
   */
  #admit(name: ListenerName, socket: Socket): AdmissionTicket | undefined {
    const address = socket.remoteAddress ?? '';
    const admitted = this.#admission.admit(address, () => socket.destroy());
    if ('refused' in admitted) {
      const text =
        TLS_MODE[name] === 'implicit'
          ? undefined
          : refusalText(name, this.#refusal(admitted.refused));
      this.#refusals.refuse(socket, text, {
        remote: address,
        listener: name,
        cap: admitted.refused,
      });
      return undefined;
    }
    const { id } = admitted;
    const key = `${address}:${socket.remotePort ?? 0}`;
    this.#openByPeer.set(key, id);
    this.#tickets.set(id, admitted);
    this.#open.set(id, {
      id,
      listener: name,
      remoteAddress: address,
      since: new Date(admitted.acceptedAt).toISOString(),
    });
    this.events.emit({ type: 'connection-opened', id, listener: name, remoteAddress: address });
    socket.once('close', () => {
      admitted.release();
      this.#open.delete(id);
      this.#tickets.delete(id);
      this.#openByPeer.delete(key);
      this.events.emit({ type: 'connection-closed', id });
    });
    return admitted;
  }

  #refusal(cap: 'total' | 'address'): string {
    const limits = this.settings.current.limits;
    return cap === 'total'
      ? `Too many connections (the limit is ${limits.maxConnections}); try again later.`
      : `Too many connections from your address (the limit is ${limits.maxConnectionsPerAddress}).`;
  }
}

/** A refusal in the protocol's words (RFC 3501 §7.1.5 BYE; RFC 3206 SYS/TEMP for POP3). */
function refusalText(name: ListenerName, reason: string): string {
  if (name.startsWith('submission')) return `421 4.7.0 ${reason}\r\n`; // RFC 5321 §3.8
  return name.startsWith('imap') ? `* BYE ${reason}\r\n` : `-ERR [SYS/TEMP] ${reason}\r\n`;
}

async function isMaildirRoot(path: string): Promise<boolean> {
  try {
    return (await stat(join(path, 'cur'))).isDirectory();
  } catch {
    return false;
  }
}

function protocolPolicy(settings: Settings) {
  return {
    loginPolicy: settings.security.loginPolicy,
    preauthTimeoutMs: settings.limits.preauthTimeoutSeconds * 1000,
    idleTimeoutMs: settings.limits.idleTimeoutSeconds * 1000,
    maxMessageBytes: settings.limits.maxMessageBytes,
    compress: settings.imap.compress,
  };
}
