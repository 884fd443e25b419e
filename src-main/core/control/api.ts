/**
 * ControlApi: the one definition of everything the window, the web admin and the CLI can ask
 * of Mailport. Each method has a runtime schema for its argument (checked at every transport)
 * and a result type. Transports are generated from `CONTROL_METHODS`; nothing is hand-wired
 * per method. The renderer imports these types only.
 */
import { z } from '../config/zod.js';
import type { ListenerName, Settings } from '../config/schema.js';
import type { ListenerState } from '../net/listener.js';
import type { PhoneAddresses } from '../net/phone-addresses.js';
import type { QueueSummary } from '../submission/queue.js';
import type { RelayView } from '../submission/relay-settings.js';

export type { PhoneAddresses } from '../net/phone-addresses.js';
export type { QueueSummary } from '../submission/queue.js';
export type { RelayView } from '../submission/relay-settings.js';

const none = z.object({}).strict();
const accountName = z.string().min(1).max(64);

export const CONTROL_METHODS = {
  getStatus: none,
  getSettings: none,
  /** Dotted keys as in `mailport config set`, e.g. { "listeners.imap.port": 10143 }. */
  updateSettings: z
    .object({ changes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) })
    .strict(),
  listAccounts: none,
  addAccount: z
    .object({
      name: accountName,
      /** An empty folder, a new one, or an existing Maildir. */
      maildir: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      /** The user confirmed a Maildir outside the home folder and Mailport's folder. */
      allowAnyPath: z.boolean().optional(),
      /** The user confirmed creating `maildir`, which does not exist yet (asked by CONFIRM_CREATE). */
      createFolder: z.boolean().optional(),
    })
    .strict(),
  removeAccount: z.object({ name: accountName }).strict(),
  resetPassword: z.object({ name: accountName }).strict(),
  getCertificate: none,
  renewCertificate: none,
  /** Your own certificate: a PEM chain and key, or a PFX (base64) with its password. */
  importCertificate: z.union([
    z
      .object({ pem: z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict() })
      .strict(),
    z
      .object({ pfx: z.object({ base64: z.string().min(1), password: z.string() }).strict() })
      .strict(),
  ]),
  listMailboxes: z.object({ account: accountName }).strict(),
  getLogs: z.object({ limit: z.number().int().min(1).max(5000).optional() }).strict(),
  /** Adds the local CA to this user's trust stores; `system` also asks for the system store. */
  installTrust: z.object({ system: z.boolean().optional() }).strict(),
  /** Removes exactly what installTrust added. */
  uninstallTrust: z.object({ system: z.boolean().optional() }).strict(),
  /** Opens the short-lived phone setup page on the LAN for one account. */
  startPhoneSetup: z.object({ account: accountName }).strict(),
  /** Closes the phone setup page ("Done"); nothing is served after this. */
  stopPhoneSetup: none,
  /** The open phone setup page, or null. */
  getPhoneSetup: none,
  /** The outgoing relay (the provider's SMTP server); never its password. */
  getRelay: none,
  /** Sets the relay; the password goes to the keychain (or the 0600 file when headless). */
  setRelay: z
    .object({
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535),
      security: z.enum(['tls', 'starttls']),
      username: z.string().max(320),
      /** Omitted: keep the saved one; '': remove it. */
      password: z.string().max(1024).optional(),
      saveToSent: z.boolean().optional(),
    })
    .strict(),
  /** Forgets the relay and its password; the submission listeners are turned off. */
  removeRelay: none,
  /** Allows an account to send as an address (MAIL FROM). */
  addSender: z.object({ account: accountName, address: z.string().min(3).max(320) }).strict(),
  removeSender: z.object({ account: accountName, address: z.string().min(1).max(320) }).strict(),
} as const;

export type ControlMethod = keyof typeof CONTROL_METHODS;
export type ControlArgs<M extends ControlMethod> = z.infer<(typeof CONTROL_METHODS)[M]>;

export interface ListenerStatus {
  readonly name: ListenerName;
  readonly title: string;
  readonly tls: 'implicit' | 'starttls';
  readonly enabled: boolean;
  readonly port: number;
  readonly state: ListenerState;
}

/** An account whose Maildir cannot be served, and why in plain words. */
export interface MaildirProblem {
  readonly account: string;
  readonly maildir: string;
  readonly problem: string;
}

export interface Status {
  readonly listeners: readonly ListenerStatus[];
  /** Accounts whose Maildir is missing (deleted or moved while Mailport runs). */
  readonly maildirProblems: readonly MaildirProblem[];
  readonly lanAddresses: readonly string[];
  readonly hostName: string;
  /** What a phone can use as the mail server, and why other addresses are left out. */
  readonly phone: PhoneAddresses;
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  /** Messages submitted by phones and not yet accepted by the relay. */
  readonly queue: QueueSummary;
  readonly connections: readonly {
    id: number;
    listener: ListenerName;
    protocol: 'imap' | 'pop3' | 'smtp';
    remoteAddress: string;
    /** Set once the client has logged in. */
    account?: string;
    since: string;
  }[];
}

export interface CertificateDetails {
  readonly subject: string;
  readonly issuer: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly fingerprintSha256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly caCertificateFile: string;
  /** The trust stores of this computer that hold the local CA (empty for an imported cert). */
  readonly trustStores: readonly TrustStoreEntry[];
  /** Problems a user should fix (expiry soon, a LAN name missing from the SANs), with the fix. */
  readonly warnings: readonly string[];
  /**
   * Whether "Renew" would give the server a new key. Phones that pinned the certificate itself
   * (rather than trusting the CA) must then accept it again, so the window warns first.
   */
  readonly renewReplacesKey: boolean;
}

/** One trust store of this computer and whether it holds Mailport's CA. */
export interface TrustStoreEntry {
  /** What a user calls it: "Firefox profile default-release", "System (update-ca-certificates)". */
  readonly store: string;
  /** The database folder, keychain or store name. */
  readonly location: string;
  readonly trusted: boolean;
}

/** The outcome of installing into (or removing from) one trust store. */
export interface TrustStoreResult {
  readonly store: string;
  readonly location: string;
  readonly ok: boolean;
  /** In plain words: what was done, or why it failed and what to do. */
  readonly message: string;
}

export interface PhoneSetup {
  /** The page's address on the LAN, with its one-time token. */
  readonly url: string;
  /** The same URL as an SVG QR code. */
  readonly qrSvg: string;
  readonly account: string;
  readonly expiresAt: string;
  readonly caFingerprintSha256: string;
  /** TCP ports a firewall on this computer must let phones reach: the page and IMAP over TLS. */
  readonly ports: { readonly page: number; readonly imaps: number };
}

export interface MailboxSummary {
  readonly name: string;
  readonly messages: number;
  readonly unseen: number;
  readonly size: number;
}

export interface ControlResults {
  getStatus: Status;
  getSettings: Omit<Settings, 'accounts'>;
  updateSettings: { settings: Omit<Settings, 'accounts'>; status: Status };
  /** `senders`: the addresses each account may send from (submission/senders.ts). */
  listAccounts: { name: string; maildir: string; senders: string[] }[];
  addAccount: { name: string; maildir: string; password: string; createdFolder: boolean };
  removeAccount: { removed: string };
  resetPassword: { name: string; password: string };
  getCertificate: CertificateDetails;
  renewCertificate: CertificateDetails;
  importCertificate: CertificateDetails;
  listMailboxes: MailboxSummary[];
  getLogs: { lines: string[] };
  installTrust: { results: TrustStoreResult[] };
  uninstallTrust: { results: TrustStoreResult[] };
  startPhoneSetup: PhoneSetup;
  stopPhoneSetup: { stopped: boolean };
  getPhoneSetup: PhoneSetup | null;
  getRelay: RelayView;
  setRelay: RelayView;
  removeRelay: RelayView;
  addSender: { account: string; senders: string[] };
  removeSender: { account: string; senders: string[] };
}

export type ControlApi = {
  [M in ControlMethod]: (args: ControlArgs<M>) => Promise<ControlResults[M]>;
};

/**
 * CONFIRM: the request is allowed only when the user confirms it (the message says what);
 * CONFIRM_CREATE: the same, for creating a folder that does not exist yet (`createFolder`).
 */
export type ControlErrorCode =
  'INVALID' | 'NOT_FOUND' | 'EXISTS' | 'CONFLICT' | 'CONFIRM' | 'CONFIRM_CREATE' | 'INTERNAL';

/** A failure a user can act on: the transports send `{ error: { code, message } }`. */
export class ControlError extends Error {
  override name = 'ControlError';
  constructor(
    readonly code: ControlErrorCode,
    message: string,
  ) {
    super(message);
  }
}
