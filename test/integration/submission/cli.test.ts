/**
 * Configuring submission from the command line as a user does: `mailport relay set|show|remove`
 * (the password read from standard input, kept out of settings.json), `mailport account
 * senders`, the refusal to turn submission on without a relay, and `mailport status` showing a
 * message waiting in the outgoing queue.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPaths } from '../../../src-main/core/config/paths.js';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';
import { freePort } from '../../helpers/ports.js';
import { run } from '../../helpers/run.js';
import { CLI, runMailport, setUpMailport } from '../../helpers/serve.js';

const USER = 'me@example.org';
const PASSWORD = 'submission password';
const RELAY_PASSWORD = 'provider app password';
const WAIT_STEP_MS = 100;
const WAIT_STEPS = 300;

let work: string;
let dataDir: string;

const mailport = (args: string[], input?: string) =>
  run(process.execPath, [CLI, ...args], {
    env: { ...process.env, MAILPORT_DATA_DIR: dataDir },
    ...(input !== undefined && { input }),
  });

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-submission-cli-'));
  const maildir = join(work, 'Maildir');
  await new MaildirStore(maildir).ensure();
  const adminPort = await freePort();
  ({ dataDir } = await setUpMailport(maildir, { user: USER, password: PASSWORD }, (s) => {
    s.admin.port = adminPort;
  }));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('mailport relay', () => {
  it('refuses to turn submission on before a relay is set, and says what to do', async () => {
    const result = await mailport(['config', 'set', 'listeners.submission.enabled', 'true']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('submission needs a relay first');
    expect(result.stderr).toContain('mailport relay set');
  });

  it('keeps the password out of settings.json, in a file only the user can read', async () => {
    const set = await mailport(
      [
        'relay',
        'set',
        '--host',
        'smtp.example.net',
        '--security',
        'starttls',
        '--username',
        USER,
        '--password-stdin',
      ],
      `${RELAY_PASSWORD}\n`,
    );
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Relay: smtp.example.net:587 (STARTTLS, certificate verified)');
    const settings = await readFile(dataPaths(dataDir).settings, 'utf8');
    expect(settings).not.toContain(RELAY_PASSWORD);
    expect(JSON.parse(settings).relay).toEqual({
      host: 'smtp.example.net',
      port: 587,
      security: 'starttls',
      username: USER,
      saveToSent: true,
    });
    const secrets = dataPaths(dataDir).secrets;
    expect(await readFile(secrets, 'utf8')).toContain(RELAY_PASSWORD);
    expect((await stat(secrets)).mode & 0o777).toBe(0o600);

    const shown = await mailport(['relay', 'show']);
    expect(shown.stdout).toContain(`Password: saved in ${secrets}`);
    expect(shown.stdout).not.toContain(RELAY_PASSWORD);

    // Options left out keep their value, and the saved password stays.
    const changed = await mailport(['relay', 'set', '--no-sent-copy']);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('Relay: smtp.example.net:587 (STARTTLS');
    expect(changed.stdout).toContain(`Username: ${USER}`);
    expect(changed.stdout).toContain('Copy to Sent: no');
    expect(changed.stdout).toContain(`Password: saved in ${secrets}`);

    const on = await mailport(['config', 'set', 'listeners.submission.enabled', 'true']);
    expect(on.code).toBe(0);

    const removed = await mailport(['relay', 'remove']);
    expect(removed.code).toBe(0);
    expect(await readFile(secrets, 'utf8')).not.toContain(RELAY_PASSWORD);
    expect(
      JSON.parse(await readFile(dataPaths(dataDir).settings, 'utf8')).listeners.submission.enabled,
    ).toBe(false);
  });

  it('refuses a host that is not a host name', async () => {
    const result = await mailport(
      ['relay', 'set', '--host', 'smtp://x', '--password-stdin'],
      'p\n',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a host name or IP address');
  });
});

describe('mailport account senders', () => {
  it('starts with the account name as sender, adds and removes others', async () => {
    expect((await mailport(['account', 'senders', USER])).stdout).toBe(`${USER}\n`);
    const added = await mailport(['account', 'senders', 'add', USER, 'Me@Example.NET']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('may send from: Me@Example.NET');
    expect((await mailport(['account', 'senders', USER])).stdout).toBe('Me@Example.NET\n');
    const bad = await mailport(['account', 'senders', 'add', USER, 'not an address']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not an address');
    const removed = await mailport(['account', 'senders', 'remove', USER, 'me@example.net']);
    expect(removed.code).toBe(0);
    expect((await mailport(['account', 'senders', USER])).stdout).toBe(`${USER}\n`);
  });
});

describe('mailport status', () => {
  it('shows a message waiting for an unreachable relay, with the last error', async () => {
    const closedPort = await freePort(); // nothing listens there: every attempt fails
    const submissionPort = await freePort();
    await mailport(
      ['relay', 'set', '--host', '127.0.0.1', '--port', String(closedPort), '--password-stdin'],
      'x\n',
    );
    await mailport(['config', 'set', 'listeners.submissions.port', String(submissionPort)]);
    expect((await mailport(['config', 'set', 'listeners.submissions.enabled', 'true'])).code).toBe(
      0,
    );
    const server = await runMailport(
      { dataDir, ports: { imap: 0, imaps: 0, pop3: 0, pop3s: 0 } },
      { MAILPORT_RELAY_RETRY_MS: '600000' },
    );
    try {
      const file = join(work, 'message.eml');
      await writeFile(file, `From: ${USER}\r\nSubject: waits\r\n\r\nbody\r\n`);
      const sent = await run('python3', ['-c', SEND], {
        env: {
          ...process.env,
          CA: join(dataPaths(dataDir).certsDir, 'ca.pem'),
          PORT: String(submissionPort),
          FILE: file,
          USER_NAME: USER,
          PASSWORD,
        },
      });
      expect(sent.stdout).toContain('SENT');
      const queueReady = join(dataPaths(dataDir).queueDir, 'ready');
      let status = '';
      for (let step = 0; step < WAIT_STEPS && !status.includes('Last error'); step++) {
        if ((await readdir(queueReady).catch(() => [])).length)
          status = (await mailport(['status'])).stdout;
        await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
      }
      expect(status).toMatch(
        /Outgoing queue: 1 message waits for the relay, the oldest since \d{4}-/,
      );
      expect(status).toMatch(/Last error: .*ECONNREFUSED|Last error: .*connect/i);
    } finally {
      await server.stop();
    }
  });
});

const SEND = `
import os, smtplib, ssl
ctx = ssl.create_default_context(cafile=os.environ['CA'])
with smtplib.SMTP_SSL('127.0.0.1', int(os.environ['PORT']), context=ctx) as s:
    s.login(os.environ['USER_NAME'], os.environ['PASSWORD'])
    s.sendmail(os.environ['USER_NAME'], ['friend@example.net'], open(os.environ['FILE'], 'rb').read())
    print('SENT')
`;
