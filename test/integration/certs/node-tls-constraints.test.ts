/**
 * The name constraints as Node's TLS client judges them, hostname check included: Mailport's
 * leaf is accepted under each of its names; a leaf signed with the CA key for a name inside the
 * permitted subtrees is accepted; one for any other name is refused during chain verification,
 * before any hostname check, with OpenSSL's "permitted subtree violation".
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, createSecureContext as nodeSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSecureContext,
  ensureCertificate,
  loadTlsMaterial,
} from '../../../src-main/core/certs/index.js';
import { signRogueLeafWithKey, type RogueNames } from './rogue-leaf.js';
import { startTlsServer, type TestServer } from './tools.js';

const machine = { hostName: 'mailbox', addresses: ['192.168.1.20', 'fd00::20'] };
let root: string;
let ca: string;
let caKey: string;
let server: TestServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-nc-'));
  const dir = join(root, 'certs');
  await ensureCertificate(dir, machine);
  ca = await readFile(join(dir, 'ca.pem'), 'utf8');
  caKey = await readFile(join(dir, 'ca-key.pem'), 'utf8');
  const material = (await loadTlsMaterial(dir))!;
  server = await startTlsServer(createSecureContext(material, { minVersion: 'TLSv1.2' }));
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

/**
 * Connects with Node's verification against the CA and Node's own hostname check
 * (tls.checkServerIdentity) for `name`, which may be an IP address; the greeting or the error.
 */
function handshake(port: number, name: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca,
      ...(isIP(name) ? {} : { servername: name }),
      checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
    });
    socket.setTimeout(15_000, () => socket.destroy(new Error('timed out')));
    socket.once('data', (data) => {
      resolve(data.toString().trim());
      socket.end();
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve(`error ${err.code}: ${err.message}`),
    );
  });
}

async function withRogue<T>(names: RogueNames, body: (port: number) => Promise<T>): Promise<T> {
  const leaf = signRogueLeafWithKey(ca, caKey, names);
  const rogue = await startTlsServer(
    nodeSecureContext({ cert: `${leaf.certPem}${ca}`, key: leaf.keyPem }),
  );
  try {
    return await body(rogue.port);
  } finally {
    await rogue.close();
  }
}

describe('Node TLS, verifying the chain and the host name', () => {
  it.each(['mailbox', 'mailbox.local', 'localhost', '127.0.0.1', '192.168.1.20', 'fd00::20'])(
    "accepts Mailport's own certificate for %s",
    async (name) => {
      expect(await handshake(server.port, name)).toBe('* OK greeting over TLS');
    },
  );

  it('refuses it for a name it does not carry (the hostname check is on)', async () => {
    expect(await handshake(server.port, 'printer.lan')).toMatch(
      /^error ERR_TLS_CERT_ALTNAME_INVALID: Hostname\/IP does not match/,
    );
  });

  it.each<[string, string[]]>([
    ['printer.lan', ['printer.lan']],
    ['nas.home.arpa', ['nas.home.arpa']],
    ['other.local', ['other.local']],
  ])(
    'accepts a leaf the CA key signs for %s (inside the permitted subtrees)',
    async (name, dns) => {
      await withRogue({ commonName: name, dnsNames: dns }, async (port) => {
        expect(await handshake(port, name)).toBe('* OK greeting over TLS');
      });
    },
  );

  it.each<[string, RogueNames]>([
    ['www.example.com', { commonName: 'www.example.com', dnsNames: ['www.example.com'] }],
    ['8.8.8.8', { commonName: '8.8.8.8', ipAddresses: ['8.8.8.8'] }],
    ['lan.example.com', { commonName: 'lan.example.com', dnsNames: ['lan.example.com'] }],
  ])('refuses a leaf the CA key signs for %s', async (name, names) => {
    await withRogue(names, async (port) => {
      // Node has no code of its own for X509_V_ERR_PERMITTED_VIOLATION; OpenSSL's text says it.
      expect(await handshake(port, name)).toBe('error UNSPECIFIED: permitted subtree violation');
    });
  });
});
