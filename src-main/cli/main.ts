#!/usr/bin/env node
/**
 * `mailport`: the command line. Each command is a small function over MailportService, in a
 * module loaded only when that command runs: `mailport serve` never loads the QR encoder,
 * the trust-store installers or the relay's SMTP client (issue 16: start-up time).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../core/config/paths.js';
import { SettingsError } from '../core/config/settings-store.js';
import { AccountError } from '../core/auth/accounts.js';
import { StoreError } from '../core/store/errors.js';
import { UsageError } from './usage.js';

const HELP = `Usage: mailport <command>

  serve                                  serve IMAP, POP3 (and submission) until stopped
  --version                              the version of Mailport
  status                                 the listeners of the running Mailport
  admin-url                              the sign-in link of the loopback web admin
  logs [-f]                              the recent log; -f keeps following it
  account add NAME [--maildir DIR [--allow-any-path]] [--password-stdin]
  account list
  account remove NAME
  account passwd NAME [--password-stdin]
  account senders NAME                   the addresses NAME may send mail from
  account senders add|remove NAME ADDRESS
  relay set --host HOST [--port N] [--security tls|starttls] [--username USER]
            [--password-stdin] [--no-sent-copy]
                                         the provider's outgoing server that phones send
                                         through (the password is asked for, or read from
                                         standard input; never given on the command line;
                                         options left out keep their value)
  relay show                             the relay, and where its password is kept
  relay remove                           forget the relay; submission is turned off
  config get [KEY]                       show one setting, or all of them
  config set KEY VALUE                   change a setting (e.g. listeners.pop3.port 10110)
  cert status                            this machine's certificate (created on first need)
  cert renew [--new-ca]                  issue a new certificate from the same local CA;
                                         --new-ca makes a new CA too (phones must trust it anew)
  cert install [--system]                trust the local CA in your browsers and mail apps;
                                         --system also in the system store (asks for admin)
  cert uninstall [--system]              remove what \`cert install\` added
  phone-setup [--account NAME]           a QR code and link that set up a phone on this
                                         network (the running Mailport; closes on Enter)

Settings and accounts live in ${defaultDataDir()}
(set MAILPORT_DATA_DIR to use another folder).`;

/** The version in package.json (dist/main/cli → the package root). */
function version(): string {
  const file = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  // `config set KEY VALUE` takes its words as they are: a value may start with "-".
  if (argv[0] === 'config') {
    const { configCommand } = await import('./config.js');
    return configCommand(defaultDataDir(), argv.slice(1));
  }
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    console.log(`mailport ${version()}`);
    return 0;
  }
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      maildir: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'allow-any-path': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      follow: { type: 'boolean', short: 'f' },
      system: { type: 'boolean' },
      'new-ca': { type: 'boolean' },
      account: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      security: { type: 'string' },
      username: { type: 'string' },
      'no-sent-copy': { type: 'boolean' },
    },
  });
  const [command, ...rest] = positionals;
  const dataDir = defaultDataDir();
  if (values.help || !command || command === 'help') {
    console.log(HELP);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'serve':
      return (await import('./serve.js')).serveCommand(dataDir);
    case 'account': {
      if (rest[0] === 'senders')
        return (await import('./relay.js')).sendersCommand(dataDir, rest.slice(1));
      const { accountCommand } = await import('./account.js');
      return accountCommand(dataDir, rest, {
        ...(values.maildir !== undefined && { maildir: values.maildir }),
        passwordStdin: values['password-stdin'] ?? false,
        allowAnyPath: values['allow-any-path'] ?? false,
      });
    }
    case 'relay':
      return (await import('./relay.js')).relayCommand(dataDir, rest, {
        host: values.host,
        port: values.port,
        security: values.security,
        username: values.username,
        passwordStdin: values['password-stdin'] ?? false,
        noSentCopy: values['no-sent-copy'] ?? false,
      });
    case 'status':
      return (await import('./admin.js')).statusCommand(dataDir);
    case 'admin-url':
      return (await import('./admin.js')).adminUrlCommand(dataDir);
    case 'logs':
      return (await import('./logs.js')).logsCommand(dataDir, values.follow ?? false);
    case 'cert':
      return (await import('./cert.js')).certCommand(dataDir, rest, {
        system: values.system ?? false,
        newCa: values['new-ca'] ?? false,
      });
    case 'phone-setup':
      return (await import('./phone-setup.js')).phoneSetupCommand(dataDir, values.account);
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/** parseArgs' message, without its advice about `--` that does not apply to mailport. */
function optionProblem(err: Error): string {
  const option = /option '([^']*)'/.exec(err.message)?.[1];
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option "${option ?? '?'}".`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `The option "${option ?? '?'}" needs a value.`;
    default:
      return err.message.split('. ')[0] ?? err.message;
  }
}

if (isEntryPoint()) {
  // `mailport cert status | head`: a reader that stops early is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`${err.message}\n\n${HELP}`);
        process.exitCode = 2;
      } else if (
        err instanceof SettingsError ||
        err instanceof AccountError ||
        err instanceof StoreError // a Maildir that cannot be created (permissions, disk full)
      ) {
        console.error(err.message);
        process.exitCode = 1;
      } else if (err instanceof Error && err.name === 'TypeError' && 'code' in err) {
        console.error(`${optionProblem(err)}\n\n${HELP}`);
        process.exitCode = 2;
      } else {
        console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        process.exitCode = 1;
      }
    },
  );
}
