/**
 * The ControlApi over MailportService. Every operation the window and the CLI offer is here,
 * once; the transports only move arguments and results.
 */
import { join } from 'node:path';
import { AccountError } from '../auth/accounts.js';
import {
  currentMachineNames,
  importCertificate,
  ImportError,
  readCertificateInfo,
  renewCertificate,
  type CertificateInfo,
  type ImportInput,
} from '../certs/index.js';
import { setSetting } from '../config/keys.js';
import { LISTENER_NAMES, type Settings } from '../config/schema.js';
import { SettingsError } from '../config/settings-store.js';
import { hostName, lanAddresses } from '../net/addresses.js';
import { LISTENER_TITLES, type MailportService } from '../service.js';
import { MaildirStore } from '../store/maildir/maildir-store.js';
import { ControlError, type CertificateDetails, type ControlApi, type Status } from './api.js';

export interface ControlApiOptions {
  /** Recent log lines, for getLogs. */
  readonly recentLogs?: (limit: number) => string[];
}

export function createControlApi(
  service: MailportService,
  options: ControlApiOptions = {},
): ControlApi {
  const status = (): Status => {
    const settings = service.settings.current;
    const states = service.listenerStates();
    return {
      listeners: LISTENER_NAMES.map((name) => ({
        name,
        title: LISTENER_TITLES[name],
        tls: name === 'imaps' || name === 'pop3s' ? 'implicit' : 'starttls',
        enabled: settings.listeners[name].enabled,
        port: settings.listeners[name].port,
        state: states[name],
      })),
      lanAddresses: lanAddresses(),
      hostName: hostName(),
      startedAt: service.startedAt.toISOString(),
      uptimeSeconds: Math.floor((Date.now() - service.startedAt.getTime()) / 1000),
      connections: service.connections().map((c) => ({
        ...c,
        protocol: c.listener.startsWith('imap') ? ('imap' as const) : ('pop3' as const),
      })),
    };
  };

  return {
    getStatus: async () => status(),
    getSettings: async () => withoutAccounts(service.settings.current),

    async updateSettings({ changes }) {
      const before = service.settings.current;
      const previous = service.listenerStates();
      await service.settings
        .update((draft) => {
          for (const [key, value] of Object.entries(changes)) setSetting(draft, key, String(value));
        })
        .catch(rethrow);
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
      return { settings: withoutAccounts(service.settings.current), status: status() };
    },

    listAccounts: async () =>
      service.accounts.list().map(({ name, maildir }) => ({ name, maildir })),

    async addAccount({ name, maildir, password }) {
      const folder = maildir ?? join(service.paths.dataDir, 'mail', name);
      await new MaildirStore(folder).ensure();
      const result = await service.accounts.add(name, folder, password).catch(rethrow);
      return {
        name: result.account.name,
        maildir: result.account.maildir,
        password: result.password,
      };
    },

    async removeAccount({ name }) {
      await service.accounts.remove(name).catch(rethrow);
      return { removed: name };
    },

    async resetPassword({ name }) {
      const password = await service.accounts.setPassword(name).catch(rethrow);
      return { name, password };
    },

    async getCertificate() {
      const info =
        (await readCertificateInfo(service.paths.certsDir)) ?? (await service.prepareTls())?.info;
      if (!info)
        throw new ControlError('INTERNAL', 'No certificate could be created: see the log.');
      return details(info);
    },

    async renewCertificate() {
      await renewCertificate(service.paths.certsDir, currentMachineNames());
      const result = await service.prepareTls();
      if (!result)
        throw new ControlError('INTERNAL', 'The new certificate could not be loaded: see the log.');
      return details(result.info);
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
      return details(result.info);
    },

    async listMailboxes({ account }) {
      const found = service.accounts.find(account);
      if (!found) throw new ControlError('NOT_FOUND', `There is no account named "${account}"`);
      const store = new MaildirStore(found.maildir);
      const out = [];
      for (const { name } of await store.listMailboxes()) {
        const counts = await store.counts(name);
        out.push({ name, messages: counts.messages, unseen: counts.unseen, size: counts.size });
      }
      return out;
    },

    getLogs: async ({ limit }) => ({ lines: options.recentLogs?.(limit ?? 200) ?? [] }),

    // Being built on their own branches (certificate trust, phone setup); until then they say so.
    installTrust: async () => notYet('Trust on this computer'),
    uninstallTrust: async () => notYet('Trust on this computer'),
    startPhoneSetup: async () => notYet('Phone setup'),
    stopPhoneSetup: async () => notYet('Phone setup'),
    getPhoneSetup: async () => null,
  };
}

function notYet(what: string): never {
  throw new ControlError('INTERNAL', `${what} is not available in this build.`);
}

function withoutAccounts(settings: Settings): Omit<Settings, 'accounts'> {
  const { accounts: _accounts, ...rest } = settings;
  return rest;
}

function details(info: CertificateInfo): CertificateDetails {
  return {
    subject: info.subject,
    issuer: info.issuer,
    dnsNames: info.dnsNames,
    ipAddresses: info.ipAddresses,
    fingerprintSha256: info.fingerprintSha256,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    caCertificateFile: info.files.caCert,
    trustStores: [],
    warnings: [],
    renewReplacesKey: true,
  };
}

/** Settings and account errors in ControlApi terms. */
function rethrow(err: unknown): never {
  if (err instanceof SettingsError) throw new ControlError('INVALID', err.message);
  if (err instanceof AccountError) {
    throw new ControlError(
      err.code === 'INVALID' ? 'INVALID' : err.code === 'EXISTS' ? 'EXISTS' : 'NOT_FOUND',
      err.message,
    );
  }
  throw err;
}
