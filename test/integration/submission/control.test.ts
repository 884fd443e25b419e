/**
 * Submission as the window will drive it, through the admin API (the ControlApi): the relay,
 * the listener (refused without a relay), senders, signed-in sessions in the status and their
 * end when the password changes; and the phone setup page of a real `mailport serve`, which
 * with submission on points the phone's outgoing server at Mailport (same host, user name and
 * password as IMAP) instead of asking for the provider's.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../../../src-main/core/config/paths.js';
import type { PhoneSetup, RelayView, Status } from '../../../src-main/core/control/api.js';
import { LineClient } from '../../helpers/line-client.js';
import { freePort } from '../../helpers/ports.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const USER = 'me@example.org';
const PASSWORD = 'correct horse';
const RELAY_PASSWORD = 'provider app password';
let maildir: string;
let server: RunningMailport;
let adminPort: number;
let submissionsPort: number;
let token: string;

beforeAll(async () => {
  maildir = await mkdtemp(join(tmpdir(), 'mailport-submission-phone-'));
  adminPort = await freePort();
  submissionsPort = await freePort();
  const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD }, (s) => {
    s.admin.port = adminPort;
    s.listeners.submissions.port = submissionsPort;
  });
  server = await runMailport(setup);
  token = (await readFile(dataPaths(setup.dataDir).adminToken, 'utf8')).trim();
});

afterAll(async () => {
  await server?.stop();
  await rm(maildir, { recursive: true, force: true });
  if (server) await rm(server.dataDir, { recursive: true, force: true });
});

async function api<T>(method: string, args: unknown = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  return { status: res.status, body: (await res.json()) as T };
}

function local(setup: PhoneSetup, file = ''): string {
  const url = new URL(setup.url);
  return `http://127.0.0.1:${url.port}${url.pathname}${file}`;
}

type Dict = Record<string, unknown>;

describe('phone setup with submission on', () => {
  it('refuses to turn submission on before a relay is set (ControlApi)', async () => {
    const reply = await api<{ error: { message: string } }>('updateSettings', {
      changes: { 'listeners.submissions.enabled': true },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toContain('submission needs a relay first');
  });

  it('sets the relay without ever returning the password', async () => {
    const set = await api<RelayView>('setRelay', {
      host: 'smtp.example.net',
      port: 465,
      security: 'tls',
      username: USER,
      password: RELAY_PASSWORD,
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      configured: true,
      host: 'smtp.example.net',
      passwordSaved: true,
    });
    expect(JSON.stringify(set.body)).not.toContain(RELAY_PASSWORD);
    const settings = await api<Dict>('getSettings');
    expect(JSON.stringify(settings.body)).not.toContain(RELAY_PASSWORD);
    const on = await api<{ status: Status }>('updateSettings', {
      changes: { 'listeners.submissions.enabled': true },
    });
    expect(on.status).toBe(200);
    const listener = on.body.status.listeners.find((l) => l.name === 'submissions');
    expect(listener?.state).toMatchObject({ status: 'listening', port: submissionsPort });
    expect(on.body.status.queue).toEqual({ count: 0 });
  });

  it('points the profile and autoconfig at Mailport for outgoing mail', async () => {
    const started = await api<PhoneSetup>('startPhoneSetup', { account: USER });
    expect(started.status).toBe(200);
    const setup = started.body;
    const html = await (await fetch(local(setup))).text();
    expect(html).toContain(
      `port <code>${submissionsPort}</code>\n(SSL/TLS), the same user name and password`,
    );
    expect(html).not.toContain('name="smtpHost"');

    // No SMTP fields: Mailport's own submission is the outgoing server.
    const profile = await fetch(local(setup, 'mailport.mobileconfig'), { method: 'POST' });
    expect(profile.status).toBe(200);
    const top = parse(await profile.text()) as Dict;
    const mail = (top.PayloadContent as Dict[]).find(
      (p) => p.PayloadType === 'com.apple.mail.managed',
    )!;
    expect(mail).toMatchObject({
      OutgoingMailServerHostName: '127.0.0.1',
      OutgoingMailServerPortNumber: submissionsPort,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: USER,
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingPasswordSameAsIncomingPassword: true,
    });

    const auto = await (await fetch(local(setup, 'config-v1.1.xml'))).text();
    const outgoing = /<outgoingServer type="smtp">([\s\S]*?)<\/outgoingServer>/.exec(auto)?.[1];
    expect(outgoing).toContain('<hostname>127.0.0.1</hostname>');
    expect(outgoing).toContain(`<port>${submissionsPort}</port>`);
    expect(outgoing).toContain('<socketType>SSL</socketType>');
    expect(outgoing).toContain(`<username>${USER}</username>`);
    await api('stopPhoneSetup');
  });

  it('shows a signed-in session in the status, and ends it when the password changes', async () => {
    const ca = await readFile(join(server.dataDir, 'certs', 'ca.pem'), 'utf8');
    const client = await LineClient.connectTls(submissionsPort, { ca, servername: 'localhost' });
    expect(await client.line()).toMatch(/^220 /);
    client.send('EHLO phone\r\n');
    await client.until(/^250 /);
    const plain = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
    expect(await client.command(`AUTH PLAIN ${plain}`)).toMatch(/^235 /);
    const status = await api<Status>('getStatus');
    expect(status.body.connections).toContainEqual(
      expect.objectContaining({ listener: 'submissions', protocol: 'smtp', account: USER }),
    );
    expect((await api('resetPassword', { name: USER })).status).toBe(200);
    expect(await client.line()).toMatch(/^421 .*changed or removed/);
    await client.closedByServer();
  });

  it("describes each submission listener's TLS as a phone meets it (465 implicit, 587 STARTTLS)", async () => {
    // Checked on the wire first: the 465-style port speaks TLS before any SMTP byte.
    const ca = await readFile(join(server.dataDir, 'certs', 'ca.pem'), 'utf8');
    const client = await LineClient.connectTls(submissionsPort, { ca, servername: 'localhost' });
    expect(await client.line()).toMatch(/^220 /);
    client.close();
    const { listeners } = (await api<Status>('getStatus')).body;
    const tls = Object.fromEntries(listeners.map((l) => [l.name, l.tls]));
    expect(tls).toMatchObject({ submissions: 'implicit', submission: 'starttls' });
  });

  it('adds and removes senders of an account (ControlApi)', async () => {
    const added = await api<{ senders: string[] }>('addSender', {
      account: USER,
      address: 'alias@example.org',
    });
    expect(added.body.senders).toEqual(['alias@example.org']);
    const accounts = await api<{ name: string; senders: string[] }[]>('listAccounts');
    expect(accounts.body[0]?.senders).toEqual(['alias@example.org']);
    const removed = await api<{ senders: string[] }>('removeSender', {
      account: USER,
      address: 'alias@example.org',
    });
    expect(removed.body.senders).toEqual([]);
  });
});
