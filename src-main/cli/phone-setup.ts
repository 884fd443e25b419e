/**
 * `mailport phone-setup [--account NAME]`: opens the phone setup page on the running Mailport
 * (over the admin API), shows its QR code and link, and closes it on Enter, Ctrl-C or expiry.
 */
import { createInterface } from 'node:readline';
import QRCode from 'qrcode';
import type { PhoneSetup } from '../core/control/api.js';
import { callRunning, endpoint } from './admin.js';
import { UsageError } from './usage.js';

export async function phoneSetupCommand(dataDir: string, account?: string): Promise<number> {
  const { port, token } = await endpoint(dataDir);
  const call = <T>(method: string, args: unknown = {}): Promise<T> =>
    callRunning<T>(port, token, method, args);
  let setup: PhoneSetup;
  try {
    setup = await call<PhoneSetup>('startPhoneSetup', {
      account: account ?? (await onlyAccount(call)),
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    console.error(
      code === 'ECONNREFUSED'
        ? `Mailport is not running (nothing answers on 127.0.0.1:${port}). Start it with \`mailport serve\`, then run \`mailport phone-setup\` again.`
        : `Could not open the phone setup page: ${(err as Error).message}`,
    );
    return 1;
  }
  printSetup(setup, await QRCode.toString(setup.url, { type: 'terminal', small: true }));
  const reason = await waitForDone(new Date(setup.expiresAt));
  await call('stopPhoneSetup').catch(() => undefined);
  console.log(
    reason === 'expired'
      ? 'The phone setup page closed: its time ran out. Run `mailport phone-setup` again if you need it.'
      : 'The phone setup page is closed.',
  );
  return 0;
}

async function onlyAccount(call: <T>(method: string) => Promise<T>): Promise<string> {
  const accounts = await call<{ name: string }[]>('listAccounts');
  if (accounts.length === 1) return accounts[0]!.name;
  if (accounts.length === 0)
    throw new UsageError('There is no account yet: add one with `mailport account add NAME`.');
  throw new UsageError(
    `Choose the account with --account NAME (one of: ${accounts.map((a) => a.name).join(', ')}).`,
  );
}

function printSetup(setup: PhoneSetup, qr: string): void {
  console.log(`Scan this with the phone's camera to set up ${setup.account}:\n`);
  console.log(qr);
  console.log(`Or open ${setup.url} on the phone (same network).`);
  console.log(
    `If this computer runs a firewall, let phones reach TCP port ${setup.ports.page} (this page) ` +
      `and ${setup.ports.imaps} (IMAP over TLS).`,
  );
  if (/^http:\/\/(127\.0\.0\.1|\[::1\])[:/]/.test(setup.url)) {
    console.log(
      'Mailport listens only on this computer (bind.address is loopback), so phones cannot reach it:\n' +
        'run `mailport config set bind.address all` first.',
    );
  }
  if (setup.caFingerprintSha256) {
    console.log(`Mailport's CA fingerprint (SHA-256): ${setup.caFingerprintSha256}`);
    console.log('\nThe page has the steps. In short:');
    console.log(
      '  iPhone/iPad: download the profile, install it in Settings, then turn on full trust in\n' +
        '    Settings › General › About › Certificate Trust Settings before opening Mail.',
    );
    console.log(
      '  Android: install the .crt as a CA certificate (Settings › Security › Encryption &\n' +
        '    credentials), then add the account in K-9 Mail, Thunderbird or FairEmail.',
    );
  } else {
    console.log('Mailport serves your own certificate, so the page offers only the mail account.');
  }
  console.log(
    `\nThe page closes at ${new Date(setup.expiresAt).toLocaleTimeString()}. Press Enter when done.`,
  );
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Resolves on Enter, Ctrl-C, SIGTERM, SIGHUP or the page's expiry. */
function waitForDone(expiresAt: Date): Promise<'done' | 'expired'> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    const finish = (reason: 'done' | 'expired'): void => {
      clearTimeout(timer);
      for (const signal of SIGNALS) process.off(signal, onInterrupt);
      lines.close();
      process.stdin.destroy(); // or a pipe on standard input keeps the process alive
      resolve(reason);
    };
    const onInterrupt = (): void => finish('done');
    const timer = setTimeout(
      () => finish('expired'),
      Math.max(0, expiresAt.getTime() - Date.now()),
    );
    lines.once('line', () => finish('done'));
    // Without a terminal, standard input may end at once: then Ctrl-C or expiry ends the wait.
    // A closed terminal (SIGHUP) or `kill` (SIGTERM) closes the page too: it must not outlive us.
    for (const signal of SIGNALS) process.once(signal, onInterrupt);
  });
}
