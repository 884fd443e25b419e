/**
 * The settings schema: every key, its type, its default and its limits, in one place.
 * `settings.json` is validated against it on every read; the CLI's dotted keys come from it.
 */
import { isIP } from 'node:net';
import { z } from './zod.js';

import {
  LISTENER_NAMES,
  STANDARD_PORTS,
  SUBMISSION_LISTENERS,
  type ListenerName,
} from './listener-names.js';

export {
  LISTENER_NAMES,
  STANDARD_PORTS,
  SUBMISSION_LISTENERS,
  type ListenerName,
  type MailListenerName,
} from './listener-names.js';

/** Listeners that are off until the user turns them on (submission needs a relay first). */
const OFF_BY_DEFAULT: ReadonlySet<ListenerName> = new Set(SUBMISSION_LISTENERS);

const port = z.number().int().min(1).max(65535);

const listener = (name: ListenerName) =>
  z
    .object({
      enabled: z.boolean().default(!OFF_BY_DEFAULT.has(name)),
      port: port.default(STANDARD_PORTS[name]),
      /** Every command and response line of this listener's sessions, in logs/<name>.log. */
      protocolLog: z.boolean().default(false),
    })
    .strict()
    .prefault({});

/** `all` (every interface, for phones on the LAN), `loopback` (this computer only), or one IP. */
const bindAddress = z.union([
  z.enum(['all', 'loopback']),
  z
    .string()
    .refine((s) => isIP(s) !== 0, { message: 'must be "all", "loopback" or an IP address' }),
]);

/** An address as MAIL FROM carries it: local@domain, no spaces or angle brackets. */
export const MAIL_ADDRESS = /^[^\s<>@]{1,64}@[^\s<>@]{1,255}$/;

export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

export const accountSchema = z
  .object({
    name: z.string().regex(ACCOUNT_NAME, 'letters, digits and . _ @ + - only, at most 64'),
    maildir: z.string().min(1),
    passwordHash: z.string().startsWith('scrypt$'),
    /**
     * Envelope senders (MAIL FROM) this account may submit with. Empty: only the account's
     * own name, when that name is an address (submission/senders.ts).
     */
    senders: z
      .array(z.string().regex(MAIL_ADDRESS, 'must be an address like name@example.org'))
      .optional(),
  })
  .strict();
export type Account = z.infer<typeof accountSchema>;

const settingsObject = z
  .object({
    version: z.literal(1).default(1),
    listeners: z
      .object({
        imaps: listener('imaps'),
        imap: listener('imap'),
        pop3s: listener('pop3s'),
        pop3: listener('pop3'),
        submissions: listener('submissions'),
        submission: listener('submission'),
      })
      .strict()
      .prefault({}),
    bind: z
      .object({ address: bindAddress.default('all') })
      .strict()
      .prefault({}),
    imap: z
      .object({
        // COMPRESS=DEFLATE (RFC 4978) offered after login, as Dovecot's imap_zlib does:
        // less traffic for phones.
        compress: z.boolean().default(true),
        // A full-text index per folder in the data dir for SEARCH TEXT/BODY (issue 16). Off,
        // every search reads every message (the answers are the same either way).
        fullTextIndex: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    security: z
      .object({
        loginPolicy: z.enum(['secure', 'plaintext']).default('secure'),
        tlsMinVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        maxConnections: z.number().int().min(1).max(100_000).default(200),
        maxConnectionsPerAddress: z.number().int().min(1).max(10_000).default(20),
        maxConnectionsPerAccount: z.number().int().min(1).max(10_000).default(20),
        // From accept to signing in, however slowly the client sends (an absolute deadline).
        preauthTimeoutSeconds: z.number().int().min(5).max(3600).default(60),
        // RFC 2177 §3 / RFC 3501 §5.4: at least 30 minutes after login.
        idleTimeoutSeconds: z.number().int().min(1800).max(86_400).default(1800),
        maxMessageBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 ** 3)
          .default(64 * 1024 ** 2),
      })
      .strict()
      .prefault({}),
    accounts: z
      .array(accountSchema)
      .default([])
      .superRefine((accounts, ctx) => {
        // Names are matched without regard to case at login: two that differ only in case
        // would make one of them unreachable.
        const seen = new Set<string>();
        accounts.forEach((account, index) => {
          const key = account.name.toLowerCase();
          if (seen.has(key))
            ctx.addIssue({
              code: 'custom',
              path: [index, 'name'],
              message: `"${account.name}" is a second account of that name; names must be unique (ignoring case)`,
            });
          seen.add(key);
        });
      }),
    /**
     * The smarthost that submitted mail is relayed to (the user's provider). The password is
     * not here: it is in the secrets store (core/secrets/), under RELAY_PASSWORD_KEY.
     */
    relay: z
      .object({
        /** Empty: no relay configured, and the submission listeners cannot be turned on. */
        host: z.string().max(253).default(''),
        port: port.default(465),
        /** 'tls': implicit TLS (465); 'starttls': upgrade required (587). Never plain. */
        security: z.enum(['tls', 'starttls']).default('tls'),
        username: z.string().max(320).default(''),
        /** Save a copy of each relayed message to the account's Sent folder (\\Seen). */
        saveToSent: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    admin: z
      .object({ port: port.default(7780) })
      .strict()
      .prefault({}),
    /**
     * The phone setup page's port on the LAN: a fixed one, so a firewall can let it through
     * (0: a port the system picks).
     */
    phoneSetup: z
      .object({ port: z.number().int().min(0).max(65535).default(7790) })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
        /** Each log file (app log, each protocol log) is rotated when it would pass this size. */
        maxFileKilobytes: z
          .number()
          .int()
          .min(16)
          .max(1024 * 1024)
          .default(10 * 1024),
        /** Rotated files kept per log (`mailport.log.1` … `.N`); older ones are deleted. */
        keepFiles: z.number().int().min(1).max(20).default(3),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/**
 * Migration: 0.1 had one `logging.protocolLog` switch for every listener; it now lives on each
 * listener (`listeners.<name>.protocolLog`). An old file keeps its meaning.
 */
function migrate(input: unknown): unknown {
  if (!isObject(input) || !isObject(input.logging) || !('protocolLog' in input.logging))
    return input;
  const { protocolLog, ...logging } = input.logging;
  const listeners = isObject(input.listeners) ? { ...input.listeners } : {};
  if (protocolLog === true) {
    for (const name of LISTENER_NAMES) {
      const current = listeners[name];
      listeners[name] = { ...(isObject(current) ? current : {}), protocolLog: true };
    }
  }
  return { ...input, logging, listeners };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const settingsSchema = z.preprocess(migrate, settingsObject);

export type Settings = z.infer<typeof settingsSchema>;

export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}

/** One line per problem, naming the dotted key: `listeners.imap.port: must be ≤ 65535`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.map(String).join('.') || '(top level)';
      if (issue.code === 'unrecognized_keys') {
        const prefix = issue.path.length ? `${key}.` : '';
        return issue.keys.map((k) => `${prefix}${k}: unknown key`).join('\n');
      }
      return `${key}: ${issue.message}`;
    })
    .join('\n');
}
