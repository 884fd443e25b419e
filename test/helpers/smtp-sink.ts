/**
 * The provider's outgoing server, for tests only: smtp-server as a sink on 127.0.0.1 with
 * implicit TLS (a self-signed certificate made by openssl for localhost and 127.0.0.1, which
 * Mailport is told to trust through MAILPORT_TEST_RELAY_CA), a username and password, and
 * every accepted message kept as the bytes it received. Recipients starting with "refuse"
 * are refused for good (550), as a provider refuses an unknown address.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';

export const SINK_USER = 'relay-user';
export const SINK_PASSWORD = 'relay password 1';

export interface Relayed {
  readonly from: string;
  readonly to: string[];
  readonly bytes: Buffer;
}

export interface SmtpSink {
  readonly port: number;
  readonly certFile: string;
  readonly received: Relayed[];
  stop(): Promise<void>;
}

/** A self-signed certificate for localhost and 127.0.0.1 in `dir`. */
export function makeSinkCertificate(dir: string): { cert: string; key: string } {
  const files = { cert: join(dir, 'sink-cert.pem'), key: join(dir, 'sink-key.pem') };
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      files.key,
      '-out',
      files.cert,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return files;
}

/**
 * Starts the sink on `port`; `received` is shared, so a restarted sink keeps counting.
 * `security`: implicit TLS (as on 465), or STARTTLS required before AUTH (as on 587).
 */
export async function startSink(
  port: number,
  files: { cert: string; key: string },
  received: Relayed[] = [],
  security: 'tls' | 'starttls' = 'tls',
): Promise<SmtpSink> {
  const server = new SMTPServer({
    secure: security === 'tls',
    key: readFileSync(files.key),
    cert: readFileSync(files.cert),
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth: (auth, _session, callback) =>
      auth.username === SINK_USER && auth.password === SINK_PASSWORD
        ? callback(null, { user: auth.username })
        : callback(new Error('Invalid username or password')),
    onRcptTo: (address, _session, callback) =>
      callback(
        address.address.startsWith('refuse')
          ? Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 })
          : undefined,
      ),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          bytes: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    certFile: files.cert,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
