/** A TLS server on 127.0.0.1 and the real clients that talk to it: openssl and Python's ssl. */
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { run, type RunResult } from '../../helpers/run.js';

export interface TestServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Greets each client that completes a handshake, as an IMAP server would. Like Mailport's
 * listeners, it wraps plain sockets in TLSSocket with the secure context.
 */
export async function startTlsServer(secureContext: SecureContext): Promise<TestServer> {
  const server = createServer((plain) => {
    const socket = new TLSSocket(plain, { isServer: true, secureContext });
    socket.on('error', () => plain.destroy());
    socket.once('secure', () => {
      socket.write('* OK greeting over TLS\r\n');
      // Ending in the same turn as the handshake loses close_notify (OpenSSL 3 clients then
      // report "unexpected eof while reading"), so close a moment later.
      setTimeout(() => socket.end(), 100);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `openssl s_client` with stdin closed: it handshakes, prints what it saw, and quits. */
export function sClient(port: number, args: readonly string[]): Promise<RunResult> {
  return run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], {
    input: '',
    timeoutMs: 20_000,
  });
}

/** What `openssl s_client` negotiated, from its summary. */
export function negotiated(output: string): {
  protocol?: string;
  cipher?: string;
  verify?: string;
} {
  const summary = /New, (\S+), Cipher is (\S+)/.exec(output);
  return {
    protocol: summary?.[1],
    cipher: summary?.[2],
    verify: /Verify return code: (.*)/.exec(output)?.[1]?.trim(),
  };
}

const PYTHON_CLIENT = `
import socket, ssl, sys
port, cafile, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname=name) as tls:
        print(tls.version(), tls.cipher()[0], tls.recv(100).decode().strip(), sep="|")
`;

/** A handshake by Python's ssl module with its default (verifying) context, strict X.509. */
export function pythonHandshake(port: number, cafile: string, name: string): Promise<RunResult> {
  return run('python3', ['-c', PYTHON_CLIENT, String(port), cafile, name], { timeoutMs: 20_000 });
}

/** Runs openssl in `cwd` (making keys and certificates as a user's own tools would). */
export function openssl(cwd: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}
