/**
 * Message submission through a live `mailport serve` (issue 18), with real clients: curl
 * (STARTTLS on the 587-style listener), Python's smtplib (implicit TLS, the 465-style one) and
 * Debian's msmtp, relayed to a local smtp-server sink standing in for the provider (implicit
 * TLS, verified against its own certificate, with a username and password). Everything on
 * 127.0.0.1. Asserts what the provider receives, what lands in the account's Maildir (the copy
 * in Sent, bounces in INBOX) and what the clients are told.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPaths } from '../../../src-main/core/config/paths.js';
import { FileSecretStore } from '../../../src-main/core/secrets/file-store.js';
import { RELAY_PASSWORD_KEY } from '../../../src-main/core/secrets/secret-store.js';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';
import { LineClient } from '../../helpers/line-client.js';
import { freePort } from '../../helpers/ports.js';
import { run } from '../../helpers/run.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';
import {
  makeSinkCertificate,
  SINK_PASSWORD,
  SINK_USER,
  startSink,
  type SmtpSink,
} from '../../helpers/smtp-sink.js';

const USER = 'me@example.org';
const PASSWORD = 'submission password';
const MAX_MESSAGE_BYTES = 64 * 1024;
const PREAUTH_TIMEOUT_SECONDS = 5;
const WAIT_STEP_MS = 100;
const WAIT_STEPS = 300;

interface Submission {
  readonly server: RunningMailport;
  readonly maildir: string;
  readonly dataDir: string;
  readonly submission: number;
  readonly submissions: number;
  readonly caFile: string;
}

let work: string;
let sinkFiles: { cert: string; key: string };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-submission-'));
  sinkFiles = makeSinkCertificate(work);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A Mailport with both submission listeners on and the sink as its relay. */
async function serveWithRelay(
  name: string,
  sinkPort: number,
  {
    security = 'tls',
    trustSink = true,
  }: { security?: 'tls' | 'starttls'; trustSink?: boolean } = {},
): Promise<Submission> {
  const maildir = join(work, name, 'Maildir');
  await new MaildirStore(maildir).ensure();
  const ports = { submission: await freePort(), submissions: await freePort() };
  const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD }, (s) => {
    s.security.loginPolicy = 'secure';
    s.limits.maxMessageBytes = MAX_MESSAGE_BYTES;
    s.limits.preauthTimeoutSeconds = PREAUTH_TIMEOUT_SECONDS;
    s.listeners.submission = { enabled: true, port: ports.submission, protocolLog: true };
    s.listeners.submissions = { enabled: true, port: ports.submissions, protocolLog: false };
    s.relay = {
      host: '127.0.0.1',
      port: sinkPort,
      security,
      username: SINK_USER,
      saveToSent: true,
    };
  });
  await new FileSecretStore(dataPaths(setup.dataDir).secrets).set(
    RELAY_PASSWORD_KEY,
    SINK_PASSWORD,
  );
  const server = await runMailport(setup, relayEnv(trustSink));
  const caFile = join(dataPaths(setup.dataDir).certsDir, 'ca.pem');
  return { server, maildir, dataDir: setup.dataDir, ...ports, caFile };
}

/** No retry inside a test unless it restarts Mailport; the sink's CA trusted or not. */
function relayEnv(trustSink = true): NodeJS.ProcessEnv {
  return {
    MAILPORT_RELAY_RETRY_MS: '600000',
    ...(trustSink && { MAILPORT_TEST_RELAY_CA: sinkFiles.cert }),
  };
}

/** The one record waiting in ready/ once it has failed `attempts` times. */
async function failedRecord(queueDir: string, attempts: number) {
  return until('the failed attempt', async () => {
    const records = (await files(join(queueDir, 'ready'))).filter((n) => /^\d.*\.json$/.test(n));
    for (const name of records) {
      // The queue may have replaced the record since the listing: look again at the next step.
      const text = await readFile(join(queueDir, 'ready', name), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const entry = JSON.parse(text) as { attempts: number; lastError?: string };
      if (entry.attempts === attempts) return entry;
    }
    return undefined;
  });
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  for (let step = 0; step < WAIT_STEPS; step++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function files(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

const message = (subject: string, body = 'Hello from the phone.') =>
  Buffer.from(
    [
      `From: Me <${USER}>`,
      'To: Friend <friend@example.net>',
      `Subject: ${subject}`,
      `Message-ID: <${subject.replace(/\W/g, '')}@example.org>`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '',
    ].join('\r\n'),
  );

const pythonSend = `
import os, smtplib, ssl, sys
ctx = ssl.create_default_context(cafile=os.environ['CA'])
port = int(os.environ['PORT'])
msg = open(os.environ['FILE'], 'rb').read()
try:
    with smtplib.SMTP_SSL('127.0.0.1', port, context=ctx) as s:
        print('EHLO', s.ehlo()[1].decode().replace('\\n', '|'))
        s.login(os.environ['USER_NAME'], os.environ['PASSWORD'])
        s.sendmail(os.environ['FROM'], [os.environ['TO']], msg)
        print('SENT')
except smtplib.SMTPResponseException as e:
    print('REFUSED', e.smtp_code, e.smtp_error.decode())
`;

function python(mp: Submission, file: string, from = USER, to = 'friend@example.net') {
  return run('python3', ['-c', pythonSend], {
    env: {
      ...process.env,
      CA: mp.caFile,
      PORT: String(mp.submissions),
      FILE: file,
      USER_NAME: USER,
      PASSWORD,
      FROM: from,
      TO: to,
    },
  });
}

describe('submission relayed to the provider', () => {
  let mp: Submission;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSink(await freePort(), sinkFiles);
    mp = await serveWithRelay('relay', sink.port);
  });

  afterAll(async () => {
    await mp?.server.stop();
    await sink?.stop();
  });

  it('curl (STARTTLS, --ssl-reqd): the provider gets the bytes, Sent gets a \\Seen copy', async () => {
    const bytes = message('curl over STARTTLS', 'Grüße, with 8-bit text.');
    const file = join(work, 'curl.eml');
    await writeFile(file, bytes);
    const result = await run('curl', [
      '-sS',
      '--url',
      `smtp://127.0.0.1:${mp.submission}`,
      '--ssl-reqd',
      '--cacert',
      mp.caFile,
      '--user',
      `${USER}:${PASSWORD}`,
      '--mail-from',
      USER,
      '--mail-rcpt',
      'friend@example.net',
      '--upload-file',
      file,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const relayed = await until('the relay', () =>
      sink.received.find((m) => m.bytes.includes('curl over STARTTLS')),
    );
    expect(relayed.from).toBe(USER);
    expect(relayed.to).toEqual(['friend@example.net']);
    expect(relayed.bytes.equals(bytes)).toBe(true);
    const copy = await until('the copy in Sent', async () => {
      for (const sub of ['new', 'cur']) {
        const dir = join(mp.maildir, '.Sent', sub);
        for (const name of await files(dir)) {
          const content = await readFile(join(dir, name));
          if (content.includes('curl over STARTTLS')) return { name, content };
        }
      }
      return undefined;
    });
    expect(copy.name).toMatch(/:2,S$/);
    expect(copy.content.equals(bytes)).toBe(true);

    // The protocol log has the conversation, never the password (listeners.submission.protocolLog).
    const log = await readFile(join(mp.dataDir, 'logs', 'submission.log'), 'utf8');
    expect(log).toContain('C: STARTTLS');
    expect(log).toContain('C: AUTH PLAIN');
    expect(log).toContain('C: /* secured */');
    expect(log).toMatch(/S: 235/);
    expect(log).toContain(`C: MAIL FROM:<${USER}>`);
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64'));
  });

  it('Python smtplib (implicit TLS): relayed, and EHLO offers what RFC 6409 asks for', async () => {
    const file = join(work, 'python.eml');
    await writeFile(file, message('python over TLS'));
    const result = await python(mp, file);
    expect(result.stdout).toContain('SENT');
    for (const word of [
      'PIPELINING',
      '8BITMIME',
      'SMTPUTF8',
      'ENHANCEDSTATUSCODES',
      'AUTH PLAIN LOGIN',
    ])
      expect(result.stdout).toContain(word);
    expect(result.stdout).toContain(`SIZE ${MAX_MESSAGE_BYTES}`);
    expect(result.stdout).not.toContain('STARTTLS');
    const relayed = await until('the relay', () =>
      sink.received.find((m) => m.bytes.includes('python over TLS')),
    );
    expect(relayed.bytes.equals(message('python over TLS'))).toBe(true);
  });

  it('msmtp (Debian) sends through STARTTLS', async () => {
    const conf = join(work, 'msmtprc');
    await writeFile(
      conf,
      [
        'account default',
        'host 127.0.0.1',
        `port ${mp.submission}`,
        'tls on',
        'tls_starttls on',
        `tls_trust_file ${mp.caFile}`,
        'auth plain',
        `user ${USER}`,
        `password ${PASSWORD}`,
        `from ${USER}`,
        '',
      ].join('\n'),
    );
    await chmod(conf, 0o600);
    const result = await run('msmtp', ['-C', conf, 'friend@example.net'], {
      input: message('msmtp over STARTTLS').toString(),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const relayed = await until('the relay', () =>
      sink.received.find((m) => m.bytes.includes('msmtp over STARTTLS')),
    );
    expect(relayed.from).toBe(USER);
  });

  it('refuses AUTH before STARTTLS and does not offer it (RFC 6409 §4.3)', async () => {
    const client = await LineClient.connect(mp.submission);
    expect(await client.line()).toMatch(/^220 /);
    client.send('EHLO phone\r\n');
    const ehlo = await client.until(/^250 /);
    expect(ehlo.join('\n')).toContain('STARTTLS');
    expect(ehlo.join('\n')).not.toContain('AUTH');
    const plain = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
    expect(await client.command(`AUTH PLAIN ${plain}`)).toMatch(/^53[08] /);
    expect(await client.command(`MAIL FROM:<${USER}>`)).toMatch(/^530 /);
    client.socket.destroy();
  });

  it('closes a session that does not sign in before the deadline, however chatty (421)', async () => {
    const client = await LineClient.connect(mp.submission);
    expect(await client.line()).toMatch(/^220 /);
    // A NOOP every second keeps smtp-server's idle timer from firing; the deadline still does.
    const limitSteps = PREAUTH_TIMEOUT_SECONDS * 3;
    let last = '';
    for (let step = 0; step < limitSteps && !last.startsWith('421'); step++) {
      client.send('NOOP\r\n');
      last = await client.line(2_000).catch(() => last);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(last).toMatch(/^421 .*time to sign in is over/);
    await client.closedByServer();
  });

  it('refuses a sender the account may not use (550 5.7.1) and says how to allow it', async () => {
    const file = join(work, 'forged.eml');
    await writeFile(file, message('forged sender'));
    const result = await python(mp, file, 'boss@example.org');
    expect(result.stdout).toMatch(
      /REFUSED 550 5\.7\.1 .*boss@example\.org.*mailport account senders add/,
    );
    expect(sink.received.some((m) => m.bytes.includes('forged sender'))).toBe(false);
  });

  it('refuses a message over the size limit (552) and queues nothing', async () => {
    const file = join(work, 'large.eml');
    await writeFile(
      file,
      message('too large', 'x'.repeat(76) + '\r\n'.repeat(1)).toString() +
        `${'y'.repeat(76)}\r\n`.repeat(1000),
    );
    const result = await python(mp, file);
    expect(result.stdout).toMatch(/REFUSED 552 /);
    const queued = await files(join(dataPaths(mp.dataDir).queueDir, 'messages'));
    expect(queued).toEqual([]);
  });

  it('refuses DATA over the limit from a client that did not declare SIZE (552 5.3.4)', async () => {
    const ca = await readFile(mp.caFile, 'utf8');
    const client = await LineClient.connectTls(mp.submissions, { ca, servername: 'localhost' });
    expect(await client.line()).toMatch(/^220 /);
    client.send('EHLO phone\r\n');
    await client.until(/^250 /);
    const plain = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
    expect(await client.command(`AUTH PLAIN ${plain}`)).toMatch(/^235 /);
    expect(await client.command(`MAIL FROM:<${USER}>`)).toMatch(/^250 /);
    expect(await client.command('RCPT TO:<friend@example.net>')).toMatch(/^250 /);
    expect(await client.command('DATA')).toMatch(/^354 /);
    client.send(`Subject: undeclared size\r\n\r\n${`${'z'.repeat(998)}\r\n`.repeat(70)}.\r\n`);
    expect(await client.line()).toMatch(/^552 5\.3\.4 /);
    expect(await client.command('QUIT')).toMatch(/^221 /);
    expect(sink.received.some((m) => m.bytes.includes('undeclared size'))).toBe(false);
  });

  it('a recipient the provider refuses for good gets a bounce in INBOX', async () => {
    const file = join(work, 'refused.eml');
    await writeFile(file, message('to a missing address'));
    const result = await python(mp, file, USER, 'refused@example.net');
    expect(result.stdout).toContain('SENT'); // accepted by Mailport, refused later by the relay
    const newDir = join(mp.maildir, 'new');
    const bounce = await until('the bounce', async () => {
      for (const name of await files(newDir)) {
        const content = (await readFile(join(newDir, name))).toString();
        if (content.includes('Undelivered Mail Returned to Sender')) return content;
      }
      return undefined;
    });
    expect(bounce).toContain('Content-Type: multipart/report; report-type=delivery-status');
    expect(bounce).toContain('Final-Recipient: rfc822; refused@example.net');
    expect(bounce).toContain('Status: 5.1.1');
    expect(bounce).toContain('Subject: to a missing address'); // the original header
    expect(bounce).not.toContain('Hello from the phone.'); // never the body
    const queued = await until('the queue to empty', async () =>
      (await files(join(dataPaths(mp.dataDir).queueDir, 'messages'))).length === 0
        ? true
        : undefined,
    );
    expect(queued).toBe(true);
  });
});

describe('the relay certificate is verified', () => {
  it('keeps the message while the relay certificate cannot be verified, then relays it (STARTTLS)', async () => {
    const received: { bytes: Buffer }[] = [];
    const sink = await startSink(await freePort(), sinkFiles, received as never, 'starttls');
    const mp = await serveWithRelay('verify', sink.port, {
      security: 'starttls',
      trustSink: false,
    });
    const queueDir = dataPaths(mp.dataDir).queueDir;
    try {
      const file = join(work, 'verified.eml');
      await writeFile(file, message('only to a verified relay'));
      expect((await python(mp, file)).stdout).toContain('SENT');
      const record = await failedRecord(queueDir, 1);
      expect(record.lastError).toMatch(/certificate/i);
      expect(received).toEqual([]);
      expect(await mp.server.stop()).toBe(0);
      // The same data dir, now trusting the sink's CA: sent at start.
      const again = await runMailport(
        { dataDir: mp.dataDir, ports: { imap: 0, imaps: 0, pop3: 0, pop3s: 0 } },
        relayEnv(true),
      );
      try {
        await until('the relay', () => received.find((m) => m.bytes.includes('verified relay')));
      } finally {
        await again.stop();
      }
    } finally {
      await mp.server.stop();
      await sink.stop();
    }
  });
});

describe('the queue survives kill -9', () => {
  it('delivers a message queued while the provider was down exactly once after a restart', async () => {
    const sinkPort = await freePort();
    const mp = await serveWithRelay('crash', sinkPort); // no sink yet: the relay is down
    const queueDir = dataPaths(mp.dataDir).queueDir;
    const file = join(work, 'queued.eml');
    await writeFile(file, message('queued across a crash'));
    const result = await python(mp, file);
    expect(result.stdout).toContain('SENT');
    // Tried once, failed (nothing listens), waiting for its retry.
    const record = await failedRecord(queueDir, 1);
    expect(record.lastError).toBeTruthy();
    expect(await mp.server.stop('SIGKILL')).toBeNull();

    const received: { bytes: Buffer }[] = [];
    const sink = await startSink(sinkPort, sinkFiles, received as never);
    const again = await runMailport(
      { dataDir: mp.dataDir, ports: { imap: 0, imaps: 0, pop3: 0, pop3s: 0 } },
      relayEnv(true),
    );
    try {
      await until('the queue to empty', async () =>
        (await files(join(queueDir, 'messages'))).length === 0 ? true : undefined,
      );
      const copies = received.filter((m) => m.bytes.includes('queued across a crash'));
      expect(copies).toHaveLength(1);
      expect(copies[0]!.bytes.equals(message('queued across a crash'))).toBe(true);
      for (const folder of ['ready', 'sending', 'done'])
        expect(await files(join(queueDir, folder))).toEqual([]);
    } finally {
      await again.stop();
      await sink.stop();
    }
  });
});
