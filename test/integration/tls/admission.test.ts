/**
 * Issue 13, finding 3: nobody may be locked out by sockets parked before login. Attacks from
 * several loopback source addresses (Linux treats every 127.0.0.x as local) against a live
 * service: slow trickles, and TLS sockets that never start their handshake.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';

let t: TestService | undefined;
const opened: { close(): void }[] = [];

afterEach(async () => {
  for (const c of opened.splice(0)) c.close();
  await t?.stop();
  t = undefined;
});

const PRELOGIN_SECONDS = 5; // the schema's minimum

/** `count` IMAP connections from each of `addresses`, greeted, kept in `opened`. */
async function park(port: number, addresses: string[], count: number): Promise<LineClient[]> {
  const clients: LineClient[] = [];
  for (const address of addresses) {
    for (let i = 0; i < count; i++) {
      const c = await LineClient.connect(port, '127.0.0.1', address);
      opened.push(c);
      clients.push(c);
    }
  }
  await Promise.all(clients.map((c) => c.line()));
  return clients;
}

/** A raw TCP socket that never says anything (a TLS handshake that never starts). */
async function silent(port: number, localAddress: string): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  opened.push({ close: () => socket.destroy() });
  return socket;
}

/** Resolves with true when the server closes `socket` within `ms`, false otherwise. */
function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const addresses = (from: number, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `127.0.0.${from + i}`);

describe('pre-login sockets cannot lock everyone out', () => {
  it('200 trickling pre-login sockets from 10 addresses: a phone from a new address still signs in, and the trickles are cut at the deadline', async () => {
    t = await startService((s) => {
      s.limits.maxConnections = 200;
      s.limits.maxConnectionsPerAddress = 20;
      s.limits.preauthTimeoutSeconds = PRELOGIN_SECONDS;
    });
    const service = t;
    const trickles = await park(service.ports.imap, addresses(10, 10), 20);
    // One byte a second: well inside the idle timeout, for ever.
    const trickle = setInterval(() => {
      for (const c of trickles) if (!c.closed) c.send('x');
    }, 1_000);
    try {
      const phone = await LineClient.connect(service.ports.imap, '127.0.0.1', '127.0.0.50');
      opened.push(phone);
      expect(await phone.line()).toMatch(/^\* OK /);
      expect((await phone.imap('a', `LOGIN ${service.user} "${service.password}"`)).tagged).toMatch(
        /^a OK /,
      );
      // The place was made by the oldest socket of a busiest address, told why.
      const evicted = trickles.filter((c) => c.closed || c.pending.includes('BYE'));
      expect(evicted.length).toBeGreaterThanOrEqual(1);
      expect(evicted[0]!.pending).toMatch(/\* BYE Too many connections are waiting to sign in/);
      // However slowly they send, the others are cut at the pre-login deadline.
      const cut = await Promise.all(
        trickles.map((c) => c.closedByServer(3 * PRELOGIN_SECONDS * 1000).then(() => c.closed)),
      );
      expect(cut.every(Boolean)).toBe(true);
      const last = trickles[trickles.length - 1]!;
      expect(last.pending).toMatch(
        /\* BYE Sign-in took too long \(the limit is 5 seconds from connecting\)\./,
      );
      // The signed-in phone was neither evicted nor cut.
      expect((await phone.imap('b', 'NOOP')).tagged).toMatch(/^b OK/);
    } finally {
      clearInterval(trickle);
    }
  });

  it('the pre-login deadline holds on every listener: IMAP, POP3S, STARTTLS and STLS', async () => {
    t = await startService((s) => (s.limits.preauthTimeoutSeconds = PRELOGIN_SECONDS));
    const service = t;
    const ca = await readFile(join(service.dataDir, 'certs', 'ca.pem'), 'utf8');
    const tls = { ca, servername: 'localhost' };
    const imap = await LineClient.connect(service.ports.imap);
    const pop3s = await LineClient.connectTls(service.ports.pop3s, tls);
    const imapStarttls = await LineClient.connect(service.ports.imap);
    await imapStarttls.line();
    imapStarttls.send('s STARTTLS\r\n');
    expect(await imapStarttls.line()).toMatch(/^s OK/);
    const imapTls = (await imapStarttls.upgrade(tls)).client;
    const pop3Plain = await LineClient.connect(service.ports.pop3);
    await pop3Plain.line();
    expect(await pop3Plain.command('STLS')).toMatch(/^\+OK/);
    const pop3Tls = (await pop3Plain.upgrade(tls)).client;
    const clients = [imap, pop3s, imapTls, pop3Tls];
    opened.push(...clients, imapStarttls, pop3Plain);
    const trickle = setInterval(() => {
      for (const c of clients) if (!c.closed) c.send('x');
    }, 1_000);
    try {
      await Promise.all(clients.map((c) => c.closedByServer(3 * PRELOGIN_SECONDS * 1000)));
      expect(clients.map((c) => c.closed)).toEqual([true, true, true, true]);
      const said = clients.map((c) => c.pending);
      expect(said[0]).toMatch(/\* BYE Sign-in took too long/);
      expect(said[1]).toMatch(/-ERR Sign-in took too long/);
      expect(said[2]).toMatch(/\* BYE Sign-in took too long/);
      expect(said[3]).toMatch(/-ERR Sign-in took too long/);
    } finally {
      clearInterval(trickle);
    }
  });

  it('handshake-less TLS sockets count from accept: beyond the per-address cap they are closed at once, and a real TLS client still gets its greeting', async () => {
    t = await startService((s) => {
      s.limits.maxConnections = 40;
      s.limits.maxConnectionsPerAddress = 10;
    });
    const service = t;
    const ca = await readFile(join(service.dataDir, 'certs', 'ca.pem'), 'utf8');
    const held: Socket[] = [];
    const extra: Socket[] = [];
    for (const address of addresses(20, 4)) {
      for (let i = 0; i < 10; i++) held.push(await silent(service.ports.imaps, address));
      for (let i = 0; i < 5; i++) extra.push(await silent(service.ports.imaps, address));
    }
    // Refused without TLS work: closed at once, not after a handshake timeout.
    const refused = await Promise.all(extra.map((s) => closedWithin(s, 3_000)));
    expect(refused.every(Boolean)).toBe(true);
    // The total cap is full of silent sockets; a phone from a new address gets in.
    const phone = await LineClient.connectTls(service.ports.imaps, { ca, servername: 'localhost' });
    opened.push(phone);
    expect(await phone.line()).toMatch(/^\* OK /);
    expect((await phone.imap('a', `LOGIN ${service.user} "${service.password}"`)).tagged).toMatch(
      /^a OK /,
    );
    // Silent sockets are dropped by the TLS handshake timeout (10 s), not held for 30 s.
    const dropped = await Promise.all(held.map((s) => closedWithin(s, 15_000)));
    expect(dropped.every(Boolean)).toBe(true);
  });
});
