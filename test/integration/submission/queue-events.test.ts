/**
 * The outgoing queue as the window follows it: the admin server's event stream says
 * `queue-changed` when a phone's message is queued and again when an attempt to relay it ends,
 * so the Dashboard's "Outgoing mail waiting" is never left showing a queue that has changed;
 * and correcting the relay (setRelay, as the window's Save does) tries the waiting message at
 * once rather than at its next retry. A real `mailport serve`, a real SMTP session over
 * implicit TLS, a relay first on a loopback port where nothing listens (the attempt fails at
 * once), then a local smtp-server sink standing in for the provider.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../../../src-main/core/config/paths.js';
import type { Status } from '../../../src-main/core/control/api.js';
import { LineClient } from '../../helpers/line-client.js';
import { freePort } from '../../helpers/ports.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';
import {
  makeSinkCertificate,
  SINK_PASSWORD,
  SINK_USER,
  startSink,
  type SmtpSink,
} from '../../helpers/smtp-sink.js';

const USER = 'me@example.org';
const PASSWORD = 'correct horse';
const WAIT_STEP_MS = 100;
const WAIT_STEPS = 100;
let maildir: string;
let server: RunningMailport;
let adminPort: number;
let submissionsPort: number;
let token: string;
let sink: SmtpSink;

beforeAll(async () => {
  maildir = await mkdtemp(join(tmpdir(), 'mailport-queue-events-'));
  const sinkFiles = makeSinkCertificate(maildir);
  sink = await startSink(await freePort(), sinkFiles);
  adminPort = await freePort();
  submissionsPort = await freePort();
  const closedRelayPort = await freePort();
  const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD }, (s) => {
    s.admin.port = adminPort;
    s.listeners.submissions = { enabled: true, port: submissionsPort, protocolLog: false };
    s.relay = {
      host: '127.0.0.1',
      port: closedRelayPort,
      security: 'tls',
      username: SINK_USER,
      saveToSent: false,
    };
  });
  // No retry within the test: exactly one attempt, right after the message is queued.
  server = await runMailport(setup, {
    MAILPORT_RELAY_RETRY_MS: '600000',
    MAILPORT_TEST_RELAY_CA: sinkFiles.cert,
  });
  token = (await readFile(dataPaths(setup.dataDir).adminToken, 'utf8')).trim();
});

afterAll(async () => {
  await server?.stop();
  await sink?.stop();
  await rm(maildir, { recursive: true, force: true });
  if (server) await rm(server.dataDir, { recursive: true, force: true });
});

async function api<T>(method: string, args: unknown = {}): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const status = (): Promise<Status> => api<Status>('getStatus');

function eventStream(): Promise<IncomingMessage> {
  return new Promise((resolve) => {
    request(
      {
        host: '127.0.0.1',
        port: adminPort,
        path: '/api/events',
        headers: { Host: `localhost:${adminPort}`, Authorization: `Bearer ${token}` },
      },
      resolve,
    ).end();
  });
}

async function submit(): Promise<void> {
  const ca = await readFile(join(dataPaths(server.dataDir).certsDir, 'ca.pem'), 'utf8');
  const client = await LineClient.connectTls(submissionsPort, { ca, servername: 'localhost' });
  expect(await client.line()).toMatch(/^220 /);
  client.send('EHLO phone\r\n');
  await client.until(/^250 /);
  const plain = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
  expect(await client.command(`AUTH PLAIN ${plain}`)).toMatch(/^235 /);
  expect(await client.command(`MAIL FROM:<${USER}>`)).toMatch(/^250 /);
  expect(await client.command('RCPT TO:<friend@example.net>')).toMatch(/^250 /);
  expect(await client.command('DATA')).toMatch(/^354 /);
  expect(await client.command('Subject: waiting\r\n\r\nHello.\r\n.')).toMatch(/^250 /);
  expect(await client.command('QUIT')).toMatch(/^221 /);
}

describe('queue events', () => {
  it('says queue-changed when a message is queued and when its attempt fails', async () => {
    const stream = await eventStream();
    const queueEvents: string[] = [];
    stream.on('data', (c: Buffer) => {
      for (const m of c.toString().matchAll(/^event: (queue-changed)$/gm)) queueEvents.push(m[1]!);
    });
    try {
      await submit();
      for (let i = 0; i < WAIT_STEPS && queueEvents.length < 2; i++)
        await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
      expect(queueEvents).toEqual(['queue-changed', 'queue-changed']);
      // What the window then asks shows the failed attempt.
      const queue = (await status()).queue;
      expect(queue.count).toBe(1);
      expect(queue.lastError).toBeTruthy();
    } finally {
      stream.destroy();
    }
  });

  it('setting the relay again tries the waiting message at once, not at its next retry', async () => {
    // The message of the test above waits ten minutes for its next attempt.
    expect((await status()).queue.count).toBe(1);
    await api('setRelay', {
      host: '127.0.0.1',
      port: sink.port,
      security: 'tls',
      username: SINK_USER,
      password: SINK_PASSWORD,
    });
    for (let i = 0; i < WAIT_STEPS && sink.received.length === 0; i++)
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    expect(sink.received.map((m) => m.to)).toEqual([['friend@example.net']]);
    expect((await status()).queue.count).toBe(0);
  });
});
