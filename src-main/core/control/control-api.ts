/**
 * The ControlApi over MailportService. Every operation the window and the CLI offer is here,
 * once; the transports only move arguments and results.
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { AccountError } from '../auth/accounts.js';
import { addAccount } from '../auth/add-account.js';
import type {
  CertificateInfo,
  CertificateReport,
  ImportInput,
  TrustEnvironment,
} from '../certs/index.js';
import { isImported } from '../certs/store.js';
import { CaKeyLockedError } from '../certs/key-vault.js';
import { setSetting } from '../config/keys.js';
import { infeasible } from '../config/feasible.js';
import { LISTENER_NAMES, type Settings } from '../config/schema.js';
import { SettingsError } from '../config/settings-store.js';
import { hostName, lanAddresses } from '../net/addresses.js';
import { LISTENER_TITLES, TLS_MODE, type MailportService } from '../service.js';
import { StoreError } from '../store/errors.js';
import { allowedSenders } from '../submission/senders.js';
import { changeSenders, removeRelay, setRelay, showRelay } from '../submission/relay-settings.js';
import { MaildirStore } from '../store/maildir/maildir-store.js';
import type { PhoneSetupPage } from '../phone/setup-page-server.js';
import { phoneAddressesNow } from '../phone/reachable.js';
import {
  ControlError,
  type CertificateDetails,
  type ControlApi,
  type ControlErrorCode,
  type PhoneSetup,
  type Status,
} from './api.js';

export interface ControlApiOptions {
  /** Recent log lines, for getLogs. */
  readonly recentLogs?: (limit: number) => string[];
  /** Where the trust stores are; this computer's by default (tests use a temporary home). */
  readonly trust?: TrustEnvironment;
  /** The user's home, where new Maildirs may go without confirmation; `os.homedir()` by default. */
  readonly home?: string;
}

export function createControlApi(
  service: MailportService,
  options: ControlApiOptions = {},
): ControlApi {
  const imapsPort = (): number => {
    const state = service.listenerStates().imaps;
    return state.status === 'listening'
      ? state.port
      : service.settings.current.listeners.imaps.port;
  };
  const status = async (): Promise<Status> => {
    const maildirProblems = await service.maildirProblems();
    const phone = await phoneAddressesNow(
      service.settings.current.bind.address,
      service.paths.certsDir,
    );
    // Read after the awaits: a status describes the listeners as they are when it is sent.
    const settings = service.settings.current;
    const states = service.listenerStates();
    return {
      maildirProblems,
      listeners: LISTENER_NAMES.map((name) => ({
        name,
        title: LISTENER_TITLES[name],
        // From the service's own table: a name list here once called 465 STARTTLS.
        tls: TLS_MODE[name],
        enabled: settings.listeners[name].enabled,
        port: settings.listeners[name].port,
        state: states[name],
      })),
      lanAddresses: lanAddresses(),
      hostName: hostName(),
      phone,
      startedAt: service.startedAt.toISOString(),
      uptimeSeconds: Math.floor((Date.now() - service.startedAt.getTime()) / 1000),
      queue: await service.queueSummary(),
      connections: service.connections().map((c) => ({
        ...c,
        protocol: protocolOf(c.listener),
      })),
    };
  };

  /** Senders live in the settings: a window open elsewhere reloads on settings-changed. */
  const changeSendersOf = async (
    account: string,
    address: string,
    change: 'add' | 'remove',
  ): Promise<{ account: string; senders: string[] }> => {
    const senders = await changeSenders(service.settings, account, address, change).catch(rethrow);
    service.events.emit({ type: 'settings-changed' });
    return { account, senders };
  };

  const trustOption = options.trust ? { trust: options.trust } : {};
  const report = async (): Promise<CertificateReport> => {
    const { certificateReport, currentMachineNames } = await certs();
    return certificateReport(service.paths.certsDir, currentMachineNames(), { env: options.trust });
  };

  return {
    getStatus: () => status(),
    getSettings: async () => withoutAccounts(service.settings.current),

    async updateSettings({ changes }) {
      const before = service.settings.current;
      const previous = service.listenerStates();
      const apply = (draft: Settings): void => {
        for (const [key, value] of Object.entries(changes)) setSetting(draft, key, String(value));
      };
      const after = service.settings.current;
      try {
        apply(after);
      } catch (err) {
        rethrow(err);
      }
      const problems = await infeasible(before, after, { probe: false });
      if (problems.length) throw new ControlError('INVALID', `Not changed: ${problems.join(' ')}`);
      await service.settings.update(apply).catch(rethrow);
      const states = await service.applySettings();
      const broken = LISTENER_NAMES.filter(
        (n) => states[n].status === 'failed' && previous[n].status !== 'failed',
      );
      if (broken.length) {
        // Put back what worked: the previous settings, bound again.
        const reasons = broken.map((n) => {
          const state = states[n];
          return state.status === 'failed' ? `${n}: ${state.error} ${state.remedy}` : n;
        });
        await service.settings.update((draft) =>
          Object.assign(draft, { ...before, accounts: draft.accounts }),
        );
        await service.applySettings();
        throw new ControlError('CONFLICT', `The change was not applied. ${reasons.join(' ')}`);
      }
      service.events.emit({ type: 'settings-changed' });
      return { settings: withoutAccounts(service.settings.current), status: await status() };
    },

    listAccounts: async () =>
      service.accounts.list().map((account) => ({
        name: account.name,
        maildir: account.maildir,
        senders: allowedSenders(account),
      })),

    async addAccount(request) {
      const places = { home: options.home ?? homedir(), dataDir: service.paths.dataDir };
      const result = await addAccount(service.accounts, places, {
        ...request,
        createFolder: request.createFolder ?? false,
      }).catch(rethrow);
      service.events.emit({ type: 'settings-changed' });
      return {
        name: result.account.name,
        maildir: result.account.maildir,
        password: result.password,
        createdFolder: result.createdFolder,
      };
    },

    async removeAccount({ name }) {
      await service.accounts.remove(name).catch(rethrow);
      service.endRevokedSessions();
      service.events.emit({ type: 'settings-changed' });
      return { removed: name };
    },

    async resetPassword({ name }) {
      const password = await service.accounts.setPassword(name).catch(rethrow);
      service.endRevokedSessions();
      return { name, password };
    },

    async getCertificate() {
      const { readCertificateInfo } = await certs();
      const info =
        (await readCertificateInfo(service.paths.certsDir)) ?? (await service.prepareTls())?.info;
      if (!info)
        throw new ControlError('INTERNAL', 'No certificate could be created: see the log.');
      return details(info, await report());
    },

    async renewCertificate() {
      const { renewCertificate, currentMachineNames } = await certs();
      await renewCertificate(service.paths.certsDir, currentMachineNames(), {
        ...trustOption,
        ...(service.keyVault && { vault: service.keyVault }),
      }).catch((err: unknown) => {
        if (err instanceof CaKeyLockedError) throw new ControlError('CONFLICT', err.message);
        throw err;
      });
      const result = await service.prepareTls();
      if (!result)
        throw new ControlError('INTERNAL', 'The new certificate could not be loaded: see the log.');
      return details(result.info, await report());
    },

    async importCertificate(args) {
      const input: ImportInput =
        'pem' in args
          ? { kind: 'pem', cert: args.pem.cert, key: args.pem.key }
          : {
              kind: 'pfx',
              pfx: Buffer.from(args.pfx.base64, 'base64'),
              password: args.pfx.password,
            };
      const { importCertificate, ImportError } = await certs();
      try {
        await importCertificate(service.paths.certsDir, input);
      } catch (err) {
        if (err instanceof ImportError) throw new ControlError('INVALID', err.message);
        throw err;
      }
      const result = await service.prepareTls();
      if (!result)
        throw new ControlError(
          'INTERNAL',
          'The imported certificate could not be loaded: see the log.',
        );
      return details(result.info, await report());
    },

    async listMailboxes({ account }) {
      const found = service.accounts.find(account);
      if (!found) throw new ControlError('NOT_FOUND', `There is no account named "${account}"`);
      const store = new MaildirStore(found.maildir);
      if (!(await isFolder(found.maildir)))
        throw new ControlError(
          'NOT_FOUND',
          `The Maildir of "${account}" (${found.maildir}) does not exist: create it, or remove the account and add it again with the right folder.`,
        );
      const out = [];
      for (const { name } of await store.listMailboxes()) {
        const counts = await store.counts(name);
        out.push({ name, messages: counts.messages, unseen: counts.unseen, size: counts.size });
      }
      return out;
    },

    getLogs: async ({ limit }) => ({ lines: options.recentLogs?.(limit ?? 200) ?? [] }),

    async installTrust({ system }) {
      const certsDir = service.paths.certsDir;
      if (await isImported(certsDir)) {
        throw new ControlError(
          'CONFLICT',
          "Mailport serves your own certificate, so its local CA is not in use: choose Renew to go back to Mailport's certificate, then trust its CA.",
        );
      }
      await service.prepareTls(); // creates the local CA if there is none yet
      const { installTrust } = await certs();
      return { results: await installTrust(certsDir, { system, env: options.trust }) };
    },

    async uninstallTrust({ system }) {
      const { uninstallTrust } = await certs();
      return {
        results: await uninstallTrust(service.paths.certsDir, { system, env: options.trust }),
      };
    },

    async startPhoneSetup({ account }) {
      const page = await service.openPhoneSetup(account).catch((err: unknown) => {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
        const port = service.settings.current.phoneSetup.port;
        throw new ControlError(
          'CONFLICT',
          `The phone setup page cannot use port ${port} (${code === 'EACCES' ? 'it needs administrator rights' : 'another program uses it'}): choose another with \`mailport config set phoneSetup.port N\`.`,
        );
      });
      if (!page) throw new ControlError('NOT_FOUND', `There is no account named "${account}"`);
      return phoneSetup(page, imapsPort());
    },
    stopPhoneSetup: async () => ({ stopped: await service.closePhoneSetup() }),
    getPhoneSetup: async () =>
      service.phoneSetup ? phoneSetup(service.phoneSetup, imapsPort()) : null,

    getRelay: () => showRelay(service.settings, service.secrets),
    async setRelay(input) {
      const view = await setRelay(service.settings, service.secrets, input).catch(rethrow);
      await service.applySettings(); // enabled submission listeners may start now
      service.retryQueue();
      service.events.emit({ type: 'settings-changed' });
      return view;
    },
    async removeRelay() {
      const view = await removeRelay(service.settings, service.secrets).catch(rethrow);
      await service.applySettings();
      service.events.emit({ type: 'settings-changed' });
      return view;
    },
    addSender: ({ account, address }) => changeSendersOf(account, address, 'add'),
    removeSender: ({ account, address }) => changeSendersOf(account, address, 'remove'),
  };
}

/** The page as the window shows it; the fingerprint is empty when no CA is offered. */
async function phoneSetup(page: PhoneSetupPage, imaps: number): Promise<PhoneSetup> {
  return {
    ports: { page: page.port, imaps },
    url: page.url,
    qrSvg: await qrSvg(page.url),
    account: page.account,
    expiresAt: page.expiresAt.toISOString(),
    caFingerprintSha256: page.caFingerprintSha256 ?? '',
  };
}

function protocolOf(listener: string): 'imap' | 'pop3' | 'smtp' {
  if (listener.startsWith('submission')) return 'smtp';
  return listener.startsWith('imap') ? 'imap' : 'pop3';
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

function withoutAccounts(settings: Settings): Omit<Settings, 'accounts'> {
  const { accounts: _accounts, ...rest } = settings;
  return rest;
}

function details(info: CertificateInfo, report: CertificateReport): CertificateDetails {
  return {
    subject: info.subject,
    issuer: info.issuer,
    dnsNames: info.dnsNames,
    ipAddresses: info.ipAddresses,
    fingerprintSha256: info.fingerprintSha256,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    caCertificateFile: info.files.caCert,
    trustStores: report.trustStores,
    warnings: report.warnings,
    renewReplacesKey: report.renewReplacesKey,
  };
}

const ACCOUNT_ERROR_CODES: Record<AccountError['code'], ControlErrorCode> = {
  INVALID: 'INVALID',
  NOT_MAILDIR: 'INVALID',
  OUTSIDE_HOME: 'CONFIRM',
  NEW_FOLDER: 'CONFIRM_CREATE',
  EXISTS: 'EXISTS',
  NOT_FOUND: 'NOT_FOUND',
};

/** Settings, account and Maildir errors in ControlApi terms. */
function rethrow(err: unknown): never {
  if (err instanceof SettingsError) throw new ControlError('INVALID', err.message);
  if (err instanceof AccountError)
    throw new ControlError(ACCOUNT_ERROR_CODES[err.code], err.message);
  if (err instanceof StoreError && err.code !== 'TEMP')
    throw new ControlError('INVALID', `The mail folder cannot be used: ${err.message}.`);
  throw err;
}

/** The page's link as a QR code; the encoder is loaded on first use, not at start (issue 16). */
async function qrSvg(url: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(url, { type: 'svg' });
}

/**
 * The certificate module, loaded on first use: `mailport serve` does not need it to start
 * (issue 16: start-up time), and making a certificate brings node-forge.
 */
function certs(): Promise<typeof import('../certs/index.js')> {
  return import('../certs/index.js');
}
