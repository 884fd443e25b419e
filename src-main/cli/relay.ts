/**
 * `mailport relay set|show|remove` (the provider's outgoing server that phones' mail is sent
 * through) and `mailport account senders [add|remove] NAME [ADDRESS]`. The relay password is
 * read from standard input (--password-stdin) or asked for on the terminal, never taken from
 * the command line (other users can read a process's arguments).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { dataPaths } from '../core/config/paths.js';
import { SettingsError, SettingsStore } from '../core/config/settings-store.js';
import { FileSecretStore } from '../core/secrets/file-store.js';
import {
  changeSenders,
  removeRelay,
  setRelay,
  showRelay,
  type RelayView,
} from '../core/submission/relay-settings.js';
import { allowedSenders } from '../core/submission/senders.js';
import { readPasswordFromStdin, UsageError } from './usage.js';

export interface RelayOptions {
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  readonly security?: string | undefined;
  readonly username?: string | undefined;
  readonly passwordStdin: boolean;
  /** `--no-sent-copy`: the phone saves its own copy in Sent. */
  readonly noSentCopy: boolean;
}

export async function relayCommand(
  dataDir: string,
  args: string[],
  options: RelayOptions,
): Promise<number> {
  const [action, extra] = args;
  if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}".`);
  const paths = dataPaths(dataDir);
  const settings = await SettingsStore.open(paths.settings);
  // Headless, the secret is in the 0600 file; the desktop app seals it into the keychain
  // the next time it reads it (secrets/sealed-store.ts).
  const secrets = new FileSecretStore(paths.secrets);
  switch (action) {
    case 'show':
      printRelay(await showRelay(settings, secrets));
      return 0;
    case 'remove':
      await removeRelay(settings, secrets);
      console.log('Removed the relay and its password; the submission listeners are off.');
      return 0;
    case 'set': {
      // What is not given stays as it was (a new relay: implicit TLS on 465).
      const current = settings.current.relay;
      const host = options.host ?? current.host;
      if (!host) throw new UsageError('relay set: --host is missing.');
      const security = options.security ?? (current.host ? current.security : 'tls');
      if (security !== 'tls' && security !== 'starttls')
        throw new UsageError('relay set: --security is "tls" (port 465) or "starttls" (587).');
      const keepPort = current.host !== '' && options.security === undefined;
      const port = Number(
        options.port ?? (keepPort ? current.port : security === 'tls' ? 465 : 587),
      );
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new UsageError(`relay set: --port "${options.port}" is not a port number.`);
      const password = options.passwordStdin
        ? await readPasswordFromStdin()
        : process.stdin.isTTY
          ? await promptPassword(`Password at ${host} (Enter keeps the saved one): `)
          : undefined;
      const view = await setRelay(settings, secrets, {
        host,
        port,
        security,
        username: options.username ?? current.username,
        password,
        ...(options.noSentCopy && { saveToSent: false }),
      });
      printRelay(view);
      if (!view.passwordSaved && view.username)
        console.log('No password is saved: set one with --password-stdin.');
      console.log(
        'Turn submission on with `mailport config set listeners.submission.enabled true` (587) and/or listeners.submissions.enabled (465).',
      );
      return 0;
    }
    default:
      throw new UsageError(`Unknown relay action "${action ?? ''}": use set, show or remove.`);
  }
}

function printRelay(view: RelayView): void {
  if (!view.configured) {
    console.log('No relay is set: phones send through their provider directly.');
    console.log(
      'Set one with `mailport relay set --host smtp.example.org --username you@example.org`.',
    );
    return;
  }
  const security = view.security === 'tls' ? 'implicit TLS' : 'STARTTLS';
  console.log(`Relay: ${view.host}:${view.port} (${security}, certificate verified)`);
  console.log(`Username: ${view.username || '(none)'}`);
  console.log(`Password: ${view.passwordSaved ? `saved in ${view.passwordStore}` : 'none saved'}`);
  console.log(`Copy to Sent: ${view.saveToSent ? 'yes' : 'no (the phone saves its own)'}`);
}

/** `account senders NAME`, `account senders add|remove NAME ADDRESS`. */
export async function sendersCommand(dataDir: string, args: string[]): Promise<number> {
  const settings = await SettingsStore.open(dataPaths(dataDir).settings);
  const [first, name, address, extra] = args;
  if (first !== 'add' && first !== 'remove') {
    if (!first) throw new UsageError('account senders: NAME is missing.');
    if (name !== undefined) throw new UsageError(`Unexpected argument "${name}".`);
    const account = settings.current.accounts.find(
      (a) => a.name.toLowerCase() === first.toLowerCase(),
    );
    if (!account) throw new SettingsError(`There is no account named "${first}"`);
    const senders = allowedSenders(account);
    if (senders.length === 0)
      console.log(
        `${account.name} may not send mail yet: add an address with \`mailport account senders add ${account.name} ADDRESS\`.`,
      );
    for (const sender of senders) console.log(sender);
    return 0;
  }
  if (!name || !address)
    throw new UsageError(`account senders ${first}: NAME and ADDRESS are needed.`);
  if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}".`);
  const senders = await changeSenders(settings, name, address, first);
  console.log(
    senders.length
      ? `${name} may send from: ${senders.join(', ')}`
      : `${name} has no sender addresses left${name.includes('@') ? ` (it may still send as ${name})` : ''}.`,
  );
  return 0;
}

/** Asks for a password on the terminal without echoing it. */
async function promptPassword(question: string): Promise<string | undefined> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk as Buffer);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  process.stdout.write(question);
  muted = true;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stdout.write('\n');
  return answer === '' ? undefined : answer;
}
