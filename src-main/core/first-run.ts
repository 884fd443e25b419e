/**
 * The first run with no account: one account for the person at this computer, on their
 * ~/Maildir when that is a Maildir, otherwise on a new Maildir in the data dir with a welcome
 * message that explains how to connect a phone.
 */
import { stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT_NAME, type Settings } from './config/schema.js';
import type { Accounts } from './auth/accounts.js';
import { MaildirStore } from './store/maildir/maildir-store.js';
import { hostName, lanAddresses } from './net/addresses.js';

export interface FirstRunResult {
  readonly account: string;
  readonly password: string;
  readonly maildir: string;
  readonly seeded: boolean;
}

export async function firstRun(
  accounts: Accounts,
  defaultMaildir: string,
  home: string = homedir(),
): Promise<FirstRunResult | undefined> {
  if (accounts.list().length > 0) return undefined;
  const existing = join(home, 'Maildir');
  const useExisting = await isMaildir(existing);
  const maildir = useExisting ? existing : defaultMaildir;
  const store = new MaildirStore(maildir);
  await store.ensure();
  const { account, password } = await accounts.add(osAccountName(), maildir);
  if (!useExisting)
    await store.deliver('INBOX', welcomeMessage(account.name, accounts.settings.current));
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

export function welcomeMessage(account: string, settings: Settings, now = new Date()): Buffer {
  const host = lanAddresses().find((a) => !a.includes(':')) ?? `${hostName()}.local`;
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
    `  Server:         ${host}`,
    `  User name:      ${account}`,
    '  Password:       the one Mailport showed when it created this account',
    `  IMAP port:      ${imaps.port}, security SSL/TLS`,
    `  POP3 port:      ${pop3s.port}, security SSL/TLS`,
    '',
    'The phone will warn that it does not know the certificate until you trust',
    "Mailport's certificate on it: open Mailport's window, Certificate, Set up a phone.",
    '',
    'Sending mail is not part of Mailport: keep your usual outgoing (SMTP) server.',
    '',
  ].join('\n');
  return Buffer.from(text, 'utf8');
}
