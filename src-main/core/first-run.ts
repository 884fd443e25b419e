/**
 * The first run with no account: one account for the person at this computer, on their
 * ~/Maildir when that is a Maildir, otherwise on a new Maildir in the data dir with a welcome
 * message that explains how to connect a phone.
 */
import { stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  ACCOUNT_NAME,
  LISTENER_NAMES,
  STANDARD_PORTS,
  type ListenerName,
  type Settings,
} from './config/schema.js';
import type { SettingsStore } from './config/settings-store.js';
import type { Accounts } from './auth/accounts.js';
import { MaildirStore } from './store/maildir/maildir-store.js';
import { bindHost } from './net/addresses.js';
import type { PhoneAddresses } from './net/phone-addresses.js';
import { phoneAddressesNow } from './phone/reachable.js';

export interface FirstRunResult {
  readonly account: string;
  readonly password: string;
  readonly maildir: string;
  readonly seeded: boolean;
}

export async function firstRun(
  accounts: Accounts,
  defaultMaildir: string,
  certsDir: string,
  home: string = homedir(),
): Promise<FirstRunResult | undefined> {
  if (accounts.list().length > 0) return undefined;
  const existing = join(home, 'Maildir');
  const useExisting = await isMaildir(existing);
  const maildir = useExisting ? existing : defaultMaildir;
  const store = new MaildirStore(maildir);
  await store.ensure();
  const { account, password } = await accounts.add(osAccountName(), maildir);
  if (!useExisting) {
    const settings = accounts.settings.current;
    const phone = await phoneAddressesNow(settings.bind.address, certsDir);
    await store.deliver('INBOX', welcomeMessage(account.name, settings, phone));
  }
  return { account: account.name, password, maildir, seeded: !useExisting };
}

function osAccountName(): string {
  let name = 'me';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (containers): keep the default
  }
  name = name.replace(/[^A-Za-z0-9._@+-]/g, '');
  return ACCOUNT_NAME.test(name) ? name : 'me';
}

async function isMaildir(path: string): Promise<boolean> {
  try {
    for (const sub of ['cur', 'new', 'tmp'])
      if (!(await stat(join(path, sub))).isDirectory()) return false;
    return true;
  } catch {
    return false;
  }
}

export function welcomeMessage(
  account: string,
  settings: Settings,
  phone: PhoneAddresses,
  now = new Date(),
): Buffer {
  // IPv4 first: the easiest to type on a phone.
  const [host, ...others] = [...phone.addresses].sort(
    (a, b) => Number(a.includes(':')) - Number(b.includes(':')),
  );
  const { imaps, pop3s } = settings.listeners;
  const text = [
    'From: Mailport <mailport@localhost>',
    `To: ${account}@localhost`,
    'Subject: Welcome to Mailport: connect your phone',
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <welcome.${now.getTime()}@mailport.localhost>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Mailport is serving the mail on this computer to your phones and tablets.',
    '',
    'To read it on a phone on the same network, add a mail account by hand',
    '("Other" or "Manual setup") with these settings:',
    '',
    `  Account type:   IMAP (or POP3)`,
    `  Server:         ${host ?? "this computer's network address (see below)"}`,
    `  User name:      ${account}`,
    '  Password:       the one Mailport showed when it created this account',
    `  IMAP port:      ${imaps.port}, security SSL/TLS`,
    `  POP3 port:      ${pop3s.port}, security SSL/TLS`,
    '',
    ...(others.length ? [`The server can also be ${others.join(' or ')}.`, ''] : []),
    ...phone.notes.flatMap((note) => [note, '']),
    'The phone will warn that it does not know the certificate until you trust',
    "Mailport's certificate on it: open Mailport's window, Certificate, Set up a phone.",
    '',
    'Sending mail is not part of Mailport: keep your usual outgoing (SMTP) server.',
    '',
  ].join('\n');
  return Buffer.from(text, 'utf8');
}

/**
 * First run only: where the standard ports (993, 143, 995, 110) cannot be bound without
 * administrator rights (Linux, a normal user), use 10993, 10143, 10995 and 10110 instead.
 * Returns the listeners that were moved.
 */
export async function choosePorts(
  settings: SettingsStore,
): Promise<{ name: ListenerName; from: number; to: number }[]> {
  const current = settings.current;
  const host = bindHost(current.bind.address);
  const moves: { name: ListenerName; from: number; to: number }[] = [];
  for (const name of LISTENER_NAMES) {
    const { port, enabled } = current.listeners[name];
    if (!enabled || port >= 1024 || port !== STANDARD_PORTS[name]) continue;
    if ((await probe(host, port)) === 'EACCES') moves.push({ name, from: port, to: 10000 + port });
  }
  if (moves.length) {
    await settings.update((draft) => {
      for (const move of moves) draft.listeners[move.name].port = move.to;
    });
  }
  return moves;
}

/** Tries to bind a port for a moment: undefined if it can be bound, else the error code. */
function probe(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'EPERM' ? 'EACCES' : err.code),
    );
    server.listen({ port, host, ipv6Only: false }, () => server.close(() => resolve(undefined)));
  });
}
