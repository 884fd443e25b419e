/**
 * The loopback admin server: every setting changed over HTTP while IMAP and POP3 clients are
 * connected, the security refusals, and events over SSE in order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { AdminServer } from '../../../src-main/core/control/http-server.js';
import type { Settings } from '../../../src-main/core/config/schema.js';
import { createControlApi } from '../../../src-main/core/control/control-api.js';
import { silentLogger } from '../../../src-main/core/log/logger.js';
import { LineClient } from '../../helpers/line-client.js';
import { freePort } from '../../helpers/ports.js';
import { makeOwnCertificate } from '../../helpers/own-certificate.js';
import { startService, type TestService } from '../../helpers/service.js';

const TOKEN = 'a'.repeat(64);
let t: TestService;
let admin: AdminServer;

beforeEach(async () => {
  t = await startService();
  admin = new AdminServer({
    api: createControlApi(t.service),
    events: t.service.events,
    token: TOKEN,
    port: 0,
    logger: silentLogger(),
  });
  await admin.start();
});
afterEach(async () => {
  await admin.stop();
  await t.stop();
});

interface Reply {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

function http(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  server: AdminServer = admin,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        headers: {
          Host: `127.0.0.1:${server.port}`,
          Authorization: `Bearer ${TOKEN}`,
          'Content-Type': 'application/json',
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            body: text ? JSON.parse(text) : {},
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const call = (method: string, args: unknown = {}) => http('POST', `/api/${method}`, args);

describe('admin API security', () => {
  it('refuses a missing or wrong token, a forged Host, unknown methods and bad arguments', async () => {
    expect((await http('POST', '/api/getStatus', {}, { Authorization: '' })).status).toBe(401);
    expect(
      (await http('POST', '/api/getStatus', {}, { Authorization: `Bearer ${'b'.repeat(64)}` }))
        .status,
    ).toBe(401);
    expect((await http('POST', '/api/getStatus', {}, { Host: 'evil.example:80' })).status).toBe(
      403,
    );
    expect(
      (await http('POST', '/api/getStatus', {}, { Host: `attacker.example:${admin.port}` })).status,
    ).toBe(403);
    expect((await call('dropDatabase')).status).toBe(404);
    const bad = await call('updateSettings', { changes: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.message).toMatch(/^changes: /);
    const wrongKey = await call('updateSettings', { changes: { 'listeners.imap.prot': 1 } });
    expect([wrongKey.status, wrongKey.body.error!.code]).toEqual([400, 'INVALID']);
    expect((await call('getStatus')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('signs a browser in through the login link with a strict cookie', async () => {
    const login = await http('GET', `/login?token=${TOKEN}`, undefined, { Authorization: '' });
    expect(login.status).toBe(303);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await http(
      'POST',
      '/api/getStatus',
      {},
      { Authorization: '', Cookie: cookie.split(';')[0]! },
    );
    expect(page.status).toBe(200);
  });
});

describe('settings over HTTP while clients are connected', () => {
  it('applies each change live', async () => {
    const imapClient = await LineClient.connect(t.ports.imap);
    await imapClient.line();
    const pop3Client = await LineClient.connect(t.ports.pop3);
    await pop3Client.line();
    const moved = await freePort();
    const reply = await call('updateSettings', {
      changes: {
        'listeners.pop3s.enabled': false,
        'listeners.imaps.port': moved,
        'security.loginPolicy': 'secure',
      },
    });
    expect(reply.status).toBe(200);
    const listeners = (
      reply.body.status as {
        listeners: { name: string; state: { status: string; port?: number } }[];
      }
    ).listeners;
    expect(listeners.find((l) => l.name === 'pop3s')!.state).toEqual({ status: 'stopped' });
    expect(listeners.find((l) => l.name === 'imaps')!.state).toMatchObject({
      status: 'listening',
      port: moved,
    });
    await expect(LineClient.connect(t.ports.pop3s)).rejects.toThrow(/ECONNREFUSED/);
    await expect(LineClient.connect(t.ports.imaps)).rejects.toThrow(/ECONNREFUSED/);
    const fresh = await LineClient.connect(t.ports.imap);
    expect(await fresh.line()).toContain('LOGINDISABLED');
    // The sessions opened before go on.
    expect((await imapClient.imap('a', 'NOOP')).tagged).toMatch(/^a OK/);
    expect(await pop3Client.command('CAPA')).toMatch(/^\+OK/);
    for (const c of [imapClient, pop3Client, fresh]) c.close();
    const settings = (await call('getSettings')).body as {
      listeners: { imaps: { port: number } };
      accounts?: unknown;
    };
    expect(settings.listeners.imaps.port).toBe(moved);
    expect(settings.accounts).toBeUndefined();
  });

  it('refuses a change that cannot be applied and keeps the working state', async () => {
    const busy = await freePort();
    const blocker: Server = createServer().listen(busy, '127.0.0.1');
    try {
      const reply = await call('updateSettings', { changes: { 'listeners.imap.port': busy } });
      expect(reply.status).toBe(409);
      expect(reply.body.error!.message).toMatch(/imap: Another program is already using port/);
      expect(t.service.settings.current.listeners.imap.port).toBe(t.ports.imap);
      const still = await LineClient.connect(t.ports.imap);
      expect(await still.line()).toMatch(/^\* OK/);
      still.close();
    } finally {
      blocker.close();
    }
  });
});

describe('accounts, certificate and mail over HTTP', () => {
  it('refuses a Maildir in a folder of other files, or outside home unless confirmed', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mailport-home-'));
    const elsewhere = await mkdtemp(join(tmpdir(), 'mailport-etc-'));
    await writeFile(join(elsewhere, 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    await mkdir(join(home, 'project'));
    await writeFile(join(home, 'project', 'notes.txt'), 'mine');
    const homeAdmin = new AdminServer({
      api: createControlApi(t.service, { home }),
      events: t.service.events,
      token: TOKEN,
      port: 0,
      logger: silentLogger(),
    });
    await homeAdmin.start();
    const add = (args: Record<string, unknown>) =>
      http('POST', '/api/addAccount', args, {}, homeAdmin);
    try {
      const outside = await add({ name: 'etc', maildir: elsewhere });
      expect([outside.status, outside.body.error?.code]).toEqual([409, 'CONFIRM']);
      expect(outside.body.error?.message).toMatch(/outside your home folder.*confirm/);
      const confirmed = await add({ name: 'etc', maildir: elsewhere, allowAnyPath: true });
      expect([confirmed.status, confirmed.body.error?.code]).toEqual([400, 'INVALID']);
      expect(confirmed.body.error?.message).toMatch(/holds other files and is not a Maildir/);
      const inHome = await add({ name: 'proj', maildir: join(home, 'project') });
      expect(inHome.body.error?.message).toMatch(/holds other files and is not a Maildir/);
      // Nothing was created, and no account was added.
      expect(await readdir(elsewhere)).toEqual(['passwd']);
      expect(await readdir(join(home, 'project'))).toEqual(['notes.txt']);
      const names = (await call('listAccounts')).body as unknown as { name: string }[];
      expect(names.map((a) => a.name)).toEqual(['tester']);

      // An empty folder elsewhere, once confirmed, and a new folder in home are fine.
      const empty = await mkdtemp(join(tmpdir(), 'mailport-empty-'));
      expect((await add({ name: 'e', maildir: empty, allowAnyPath: true })).status).toBe(200);
      expect((await readdir(empty)).sort()).toEqual(['cur', 'new', 'tmp']);
      // A folder that does not exist yet (a typo?) is created only once the user confirms.
      const typo = await add({ name: 'h', maildir: join(home, 'Mial') });
      expect([typo.status, typo.body.error?.code]).toEqual([409, 'CONFIRM_CREATE']);
      expect(typo.body.error?.message).toMatch(/does not exist.*confirm/);
      await expect(readdir(join(home, 'Mial'))).rejects.toThrow(/ENOENT/);
      const created = await add({ name: 'h', maildir: join(home, 'Mail'), createFolder: true });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ createdFolder: true });
      expect((await readdir(join(home, 'Mail'))).sort()).toEqual(['cur', 'new', 'tmp']);
      await rm(empty, { recursive: true, force: true });
    } finally {
      await homeAdmin.stop();
      await rm(home, { recursive: true, force: true });
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('adds, resets and removes accounts and describes the certificate and mailboxes', async () => {
    const added = await call('addAccount', { name: 'phone' });
    expect(added.status).toBe(200);
    expect(added.body.password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect((await call('addAccount', { name: 'phone' })).status).toBe(409);
    const reset = await call('resetPassword', { name: 'phone' });
    expect(reset.body.password).not.toBe(added.body.password);
    expect(
      ((await call('listAccounts')).body as unknown as { name: string }[]).map((a) => a.name),
    ).toEqual(['tester', 'phone']);
    expect((await call('removeAccount', { name: 'phone' })).status).toBe(200);
    expect((await call('removeAccount', { name: 'phone' })).status).toBe(404);
    const cert = (await call('getCertificate')).body as {
      dnsNames: string[];
      fingerprintSha256: string;
    };
    expect(cert.dnsNames).toContain('localhost');
    const renewed = (await call('renewCertificate')).body as { fingerprintSha256: string };
    expect(renewed.fingerprintSha256).not.toBe(cert.fingerprintSha256);
    await t.store.deliver('INBOX', Buffer.from('Subject: x\n\ny\n'));
    const boxes = (await call('listMailboxes', { account: 'tester' })).body as unknown as {
      name: string;
      messages: number;
    }[];
    expect(boxes).toEqual([{ name: 'INBOX', messages: 1, unseen: 1, size: 17 }]); // 14 octets + 3 CRs
  });
});

/** The admin server's event stream; `events` fills with each event's type as it comes. */
async function eventStream(): Promise<{ events: string[]; close(): void }> {
  const events: string[] = [];
  const stream = await new Promise<import('node:http').IncomingMessage>((resolve) => {
    request(
      {
        host: '127.0.0.1',
        port: admin.port,
        path: '/api/events',
        headers: { Host: `localhost:${admin.port}`, Authorization: `Bearer ${TOKEN}` },
      },
      resolve,
    ).end();
  });
  expect(stream.headers['content-type']).toBe('text/event-stream');
  stream.on('data', (c: Buffer) => {
    for (const m of c.toString().matchAll(/^event: (.+)$/gm)) events.push(m[1]!);
  });
  return { events, close: () => stream.destroy() };
}

describe('events over SSE', () => {
  it('streams listener, connection, login and settings events in order', async () => {
    const { events, close } = await eventStream();
    const c = await LineClient.connect(t.ports.imap);
    await c.line();
    await c.imap('a', `LOGIN ${t.user} "${t.password}"`);
    const status = (await call('getStatus')).body as {
      connections: { account?: string; listener: string }[];
    };
    expect(status.connections).toEqual([
      expect.objectContaining({ listener: 'imap', account: t.user }),
    ]);
    c.close();
    await call('updateSettings', { changes: { 'listeners.pop3.enabled': false } });
    await new Promise((r) => setTimeout(r, 200));
    close();
    expect(events).toEqual([
      'connection-opened',
      'login',
      'connection-closed',
      'listener',
      'settings-changed',
    ]);
  });

  it('tells another open window when accounts or their senders change', async () => {
    const { events, close } = await eventStream();
    const folder = await mkdtemp(join(tmpdir(), 'mailport-admin-acc-'));
    try {
      const calls: [string, Record<string, unknown>][] = [
        ['addAccount', { name: 'laptop', maildir: folder, allowAnyPath: true, createFolder: true }],
        ['addSender', { account: 'laptop', address: 'me@example.org' }],
        ['removeSender', { account: 'laptop', address: 'me@example.org' }],
        ['removeAccount', { name: 'laptop' }],
      ];
      for (const [name, input] of calls) expect((await call(name, input)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      expect(events).toEqual(Array(4).fill('settings-changed'));
    } finally {
      close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('every setting over HTTP', () => {
  it('moves and switches each listener', async () => {
    for (const name of ['imaps', 'imap', 'pop3s', 'pop3'] as const) {
      const port = await freePort();
      expect(
        (await call('updateSettings', { changes: { [`listeners.${name}.port`]: port } })).status,
      ).toBe(200);
      const c = await LineClient.connect(port);
      expect(c).toBeDefined();
      c.close();
      expect(
        (await call('updateSettings', { changes: { [`listeners.${name}.enabled`]: false } }))
          .status,
      ).toBe(200);
      await expect(LineClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  it('applies the bind address, TLS minimum, limits and log settings', async () => {
    const c1 = await LineClient.connect(t.ports.imap);
    await c1.line();
    // limits.maxConnectionsPerAddress: the next connection from here is refused.
    await call('updateSettings', { changes: { 'limits.maxConnectionsPerAddress': 1 } });
    const refused = await LineClient.connect(t.ports.imap);
    expect(await refused.line()).toMatch(/^\* BYE Too many connections from your address/);
    // limits.maxConnections: full of signed-in sessions (a pre-login one would make room).
    expect((await c1.imap('l', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(/^l OK/);
    await call('updateSettings', {
      changes: { 'limits.maxConnectionsPerAddress': 20, 'limits.maxConnections': 1 },
    });
    const refusedTotal = await LineClient.connect(t.ports.imap);
    expect(await refusedTotal.line()).toMatch(/^\* BYE Too many connections \(the limit is 1\)/);
    c1.close();
    await call('updateSettings', {
      changes: { 'limits.maxConnections': 200, 'limits.maxConnectionsPerAccount': 1 },
    });
    const a = await LineClient.connect(t.ports.imap);
    await a.line();
    expect((await a.imap('a', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(/^a OK/);
    const b = await LineClient.connect(t.ports.imap);
    await b.line();
    expect((await b.imap('b', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(
      /^b NO \[LIMIT\]/,
    );
    a.close();
    b.close();
    // limits.maxMessageBytes is APPENDLIMIT; preauthTimeoutSeconds ends silent clients.
    await call('updateSettings', {
      changes: { 'limits.maxMessageBytes': 4096, 'limits.preauthTimeoutSeconds': 5 },
    });
    const d = await LineClient.connect(t.ports.imap);
    await d.line();
    expect(await d.line(8_000)).toBe(
      '* BYE Sign-in took too long (the limit is 5 seconds from connecting).',
    );
    const e = await LineClient.connect(t.ports.imap); // APPENDLIMIT is listed after login
    await e.line();
    expect((await e.imap('e', `LOGIN ${t.user} "${t.password}"`)).tagged).toContain(
      'APPENDLIMIT=4096',
    );
    e.close();
    // security.tlsMinVersion: TLS 1.2 clients are refused once 1.3 is required.
    await call('updateSettings', { changes: { 'security.tlsMinVersion': 'TLSv1.3' } });
    await expect(
      LineClient.connectTls(t.ports.imaps, { rejectUnauthorized: false, maxVersion: 'TLSv1.2' }),
    ).rejects.toThrow();
    const tls13 = await LineClient.connectTls(t.ports.imaps, { rejectUnauthorized: false });
    expect(await tls13.line()).toMatch(/^\* OK/);
    tls13.close();
    // bind.address: one address of this computer.
    await call('updateSettings', { changes: { 'bind.address': '127.0.0.2' } });
    await expect(LineClient.connect(t.ports.imap, '127.0.0.1')).rejects.toThrow(/ECONNREFUSED/);
    const bound = await LineClient.connect(t.ports.imap, '127.0.0.2');
    expect(await bound.line()).toMatch(/^\* OK/);
    bound.close();
    // logging and admin.port: stored and returned (their effect is tested on `mailport serve`).
    const logging = await call('updateSettings', {
      changes: {
        'logging.level': 'debug',
        'listeners.imap.protocolLog': true,
        'admin.port': 7781,
      },
    });
    const stored = logging.body.settings as Settings;
    expect(stored.logging).toEqual({ level: 'debug', maxFileKilobytes: 10240, keepFiles: 3 });
    expect(stored.listeners.imap.protocolLog).toBe(true);
    expect(stored.listeners.pop3.protocolLog).toBe(false);
  });
});

describe('indexing progress and new mail', () => {
  it('reports the first indexing of a large INBOX, then each new delivery', async () => {
    await admin.stop();
    await t.stop();
    t = await startService();
    // Stop, fill the Maildir behind the service's back, and start again: the first pass shows.
    await t.service.stop();
    for (let i = 0; i < 600; i++) {
      await writeFile(
        join(t.maildir, 'cur', `${1_700_000_000 + i}.M${i}P1.fill:2,S`),
        `Subject: ${i}\n\nx\n`,
      );
    }
    const progress: string[] = [];
    const mail: number[] = [];
    const stop = t.service.events.subscribe((e) => {
      if (e.type === 'progress' && e.task === 'indexing') progress.push(`${e.done}/${e.total}`);
      if (e.type === 'new-mail') mail.push(e.messages);
    });
    await t.service.start();
    await t.service.indexed(); // in the background since issue 16: listeners come first
    expect(progress).toEqual(['250/600', '500/600', '600/600']);
    await t.store.deliver('INBOX', Buffer.from('Subject: new\n\nx\n'));
    for (let i = 0; i < 40 && mail.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(mail).toEqual([601]);
    stop();
    admin = new AdminServer({
      api: createControlApi(t.service),
      events: t.service.events,
      token: TOKEN,
      port: 0,
      logger: silentLogger(),
    });
    await admin.start();
  });
});

describe('importing your own certificate', () => {
  it('takes a PFX or PEM, serves it at once, keeps it, and refuses what does not fit', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtemp, readFile: read } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'mailport-import-'));
    makeOwnCertificate(dir);
    execFileSync(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-inkey',
        join(dir, 'key.pem'),
        '-in',
        join(dir, 'cert.pem'),
        '-out',
        join(dir, 'own.pfx'),
        '-passout',
        'pass:pfx-secret',
      ],
      { stdio: 'ignore' },
    );
    const pfx = (await read(join(dir, 'own.pfx'))).toString('base64');
    expect(
      (await call('importCertificate', { pfx: { base64: pfx, password: 'wrong' } })).status,
    ).toBe(400);
    const imported = await call('importCertificate', {
      pfx: { base64: pfx, password: 'pfx-secret' },
    });
    expect(imported.status).toBe(200);
    expect(imported.body.dnsNames).toEqual(['mail.example.test']);
    const served = await LineClient.connectTls(t.ports.imaps, {
      rejectUnauthorized: false,
      servername: 'mail.example.test',
    });
    expect(served.peerCertificate!.fingerprint256).toBe(imported.body.fingerprintSha256);
    served.close();
    await t.service.prepareTls(); // the periodic check leaves the user's certificate alone
    expect(
      ((await call('getCertificate')).body as { fingerprintSha256: string }).fingerprintSha256,
    ).toBe(imported.body.fingerprintSha256);
    const pem = {
      cert: await read(join(dir, 'cert.pem'), 'utf8'),
      key: await read(join(dir, 'key.pem'), 'utf8'),
    };
    execFileSync('openssl', ['genrsa', '-out', join(dir, 'other.pem'), '2048'], {
      stdio: 'ignore',
    });
    const mismatch = await call('importCertificate', {
      pem: { cert: pem.cert, key: await read(join(dir, 'other.pem'), 'utf8') },
    });
    expect([mismatch.status, mismatch.body.error!.message]).toEqual([
      400,
      'The private key does not belong to the certificate.',
    ]);
    expect((await call('importCertificate', { pem })).status).toBe(200);
    const back = (await call('renewCertificate')).body as { dnsNames: string[] };
    expect(back.dnsNames).toContain('localhost'); // renewing returns to the local CA
  });
});
