/**
 * createSecureContext against real clients on 127.0.0.1: Python's ssl and openssl s_client
 * verify the chain, old protocol versions and weak suites are refused. Each refusal has a
 * control: a deliberately permissive server that the same client command gets through, so the
 * refusal is ours and not the client's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext as nodeSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSecureContext,
  ensureCertificate,
  loadTlsMaterial,
  type TlsMaterial,
} from '../../../src-main/core/certs/index.js';
import { negotiated, pythonHandshake, sClient, startTlsServer, type TestServer } from './tools.js';

let root: string;
let caFile: string;
let otherCaFile: string;
let material: TlsMaterial;
let server: TestServer;
let tls13Only: TestServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-tls-'));
  const made = await ensureCertificate(join(root, 'certs'), {
    hostName: 'mailbox',
    addresses: ['192.168.1.20'],
  });
  caFile = made.info.files.caCert;
  otherCaFile = (await ensureCertificate(join(root, 'other'), { hostName: 'x', addresses: [] }))
    .info.files.caCert;
  material = (await loadTlsMaterial(join(root, 'certs')))!;
  server = await startTlsServer(createSecureContext(material, { minVersion: 'TLSv1.2' }));
  tls13Only = await startTlsServer(createSecureContext(material, { minVersion: 'TLSv1.3' }));
});

afterAll(async () => {
  await Promise.all([server?.close(), tls13Only?.close()]);
  await rm(root, { recursive: true, force: true });
});

/** A server that accepts what ours must refuse (`ciphers` in OpenSSL's syntax). */
async function permissiveServer(ciphers: string): Promise<TestServer> {
  const context = nodeSecureContext({ ...material, minVersion: 'TLSv1', ciphers });
  return startTlsServer(context);
}

async function withServer<T>(s: Promise<TestServer>, body: (p: number) => Promise<T>): Promise<T> {
  const started = await s;
  try {
    return await body(started.port);
  } finally {
    await started.close();
  }
}

describe('Python ssl (default context, VERIFY_X509_STRICT)', () => {
  it.each(['localhost', '127.0.0.1', 'mailbox.local'])(
    'verifies the server as %s',
    async (name) => {
      const result = await pythonHandshake(server.port, caFile, name);
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toMatch(/^TLSv1\.3\|TLS_\w+\|\* OK greeting over TLS$/);
    },
  );

  it('refuses a name the certificate does not carry', async () => {
    const result = await pythonHandshake(server.port, caFile, 'mail.example.com');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED.*Hostname mismatch/);
  });

  it('refuses the server when it trusts another Mailport CA', async () => {
    const result = await pythonHandshake(server.port, otherCaFile, 'localhost');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED/);
  });
});

describe('openssl s_client', () => {
  const verifying = ['-verify_return_error', '-x509_strict', '-servername', 'localhost'];

  it('verifies the chain (return code 0) and negotiates TLS 1.3', async () => {
    // -ign_eof: read until the server closes, so the greeting shows.
    const args = [...verifying, '-CAfile', caFile, '-verify_hostname', 'localhost', '-ign_eof'];
    const result = await sClient(server.port, args);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(negotiated(result.stdout)).toMatchObject({ protocol: 'TLSv1.3', verify: '0 (ok)' });
    expect(result.stdout).toContain('* OK greeting over TLS');
  });

  it('fails to verify without the CA', async () => {
    const result = await sClient(server.port, [...verifying, '-CAfile', otherCaFile]);
    expect(result.code).not.toBe(0);
    expect(negotiated(result.stdout).verify).toBe(
      '19 (self-signed certificate in certificate chain)',
    );
    expect(result.stderr).toMatch(/certificate verify failed/);
  });

  it.each(['-tls1', '-tls1_1'])('cannot connect with %s', async (version) => {
    const weak = [version, '-cipher', 'DEFAULT@SECLEVEL=0'];
    await withServer(permissiveServer('DEFAULT@SECLEVEL=0'), async (port) => {
      expect((await sClient(port, weak)).code).toBe(0); // control
    });
    const result = await sClient(server.port, weak);
    expect(result.code).not.toBe(0);
    expect(negotiated(result.stdout).cipher ?? '(NONE)').toBe('(NONE)');
  });

  it('cannot use a TLS 1.2 suite without forward secrecy and AEAD (AES128-SHA)', async () => {
    const weak = ['-tls1_2', '-cipher', 'AES128-SHA'];
    await withServer(permissiveServer('AES128-SHA'), async (port) => {
      expect(negotiated((await sClient(port, weak)).stdout).cipher).toBe('AES128-SHA'); // control
    });
    const result = await sClient(server.port, weak);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/handshake failure|no shared cipher/);
  });

  it.each([
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ])('offers %s in TLS 1.2', async (cipher) => {
    const result = await sClient(server.port, ['-tls1_2', '-cipher', cipher, '-CAfile', caFile]);
    expect(negotiated(result.stdout)).toMatchObject({ protocol: 'TLSv1.2', cipher });
  });

  it('picks its own preference in TLS 1.2, not the client’s', async () => {
    const clientOrder =
      'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256';
    const result = await sClient(server.port, ['-tls1_2', '-cipher', clientOrder]);
    expect(negotiated(result.stdout).cipher).toBe('ECDHE-RSA-AES128-GCM-SHA256');
  });

  it('can be TLS 1.3 only', async () => {
    const tls12 = await sClient(tls13Only.port, ['-tls1_2']);
    expect(tls12.code).not.toBe(0);
    const tls13 = await sClient(tls13Only.port, ['-tls1_3', '-CAfile', caFile]);
    expect(negotiated(tls13.stdout)).toMatchObject({ protocol: 'TLSv1.3', verify: '0 (ok)' });
  });
});
