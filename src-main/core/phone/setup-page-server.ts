/**
 * The short-lived phone setup page: plain HTTP (the phone does not trust the CA yet) on the
 * addresses the mail listeners use (every address by default), on a port the system picks. It answers only requests whose path starts with its
 * one-time token (compared in constant time); anything else gets an empty 404. It closes after
 * `ttlMs` (ten minutes by default) or on `close()`, and then nothing is served at all.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sameToken } from '../control/admin-token.js';
import type { Logger } from '../log/logger.js';
import {
  mailportOutgoing,
  type OutgoingServer,
  type SubmissionEndpoint,
} from './account-settings.js';
import { AUTOCONFIG_TYPE, buildAutoconfig, xml as escape } from './autoconfig.js';
import { buildMobileconfig, MOBILECONFIG_TYPE } from './mobileconfig.js';
import { FILES, pageHtml } from './page.js';

export const PHONE_SETUP_TTL_MS = 10 * 60_000;
/** The wait after a wrong password on the profile form, against guessing. */
const WRONG_PASSWORD_DELAY_MS = 1_000;
/** After this many wrong passwords the page stops checking them (start it again to retry). */
const MAX_WRONG_PASSWORDS = 5;
/** The profile form is small; a bigger body is refused. */
const MAX_FORM_BYTES = 8 * 1024;

export interface PhoneSetupOptions {
  readonly account: string;
  readonly hostName: string;
  /** The LAN address the link (and QR code) names. */
  readonly urlHost: string;
  /** Where to listen, as the mail listeners do: `::` (every address), or one address. */
  readonly listenHost: string;
  /** The page's port (0: one the system picks). */
  readonly port: number;
  readonly imapsPort: number;
  /** Mailport's submission listener, when on: the outgoing server, no questions asked. */
  readonly submission?: SubmissionEndpoint;
  /** The local CA (PEM); absent when the user's own certificate is served. */
  readonly caPem?: string;
  /** Whether `password` is the account's; the password is never logged. */
  readonly checkPassword: (password: string) => Promise<boolean>;
  readonly logger: Logger;
  readonly ttlMs?: number;
  /** Called once when the page closes, by expiry or by `close()`. */
  readonly onClose?: () => void;
}

export class PhoneSetupPage {
  readonly #options: PhoneSetupOptions;
  readonly #token = randomBytes(24).toString('base64url');
  readonly #ca: { der: Buffer; pem: string; fingerprint: string } | undefined;
  readonly expiresAt: Date;
  #server: Server | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #wrongPasswords = 0;
  url = '';
  /** The port the page listens on, and the one a firewall must let through. */
  port = 0;

  private constructor(options: PhoneSetupOptions) {
    this.#options = options;
    this.expiresAt = new Date(Date.now() + (options.ttlMs ?? PHONE_SETUP_TTL_MS));
    if (options.caPem) {
      const x509 = new X509Certificate(options.caPem);
      this.#ca = { der: x509.raw, pem: x509.toString(), fingerprint: x509.fingerprint256 };
    }
  }

  static async open(options: PhoneSetupOptions): Promise<PhoneSetupPage> {
    const page = new PhoneSetupPage(options);
    await page.#listen();
    return page;
  }

  get account(): string {
    return this.#options.account;
  }

  /** The CA's SHA-256 fingerprint (`AA:BB:…`), or undefined when no CA is offered. */
  get caFingerprintSha256(): string | undefined {
    return this.#ca?.fingerprint;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const server = this.#server;
    if (server) {
      const done = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await done;
    }
    this.#options.logger.info({ account: this.account }, 'phone setup page closed');
    this.#options.onClose?.();
  }

  async #listen(): Promise<void> {
    // `::` is every address, IPv6 and IPv4 together; IPv4 alone where IPv6 is off.
    const host = this.#options.listenHost;
    const port = this.#options.port;
    this.#server = await listen(host, port).catch((err: unknown) => {
      if (host === '::' && (err as NodeJS.ErrnoException).code === 'EAFNOSUPPORT')
        return listen('0.0.0.0', port);
      throw err;
    });
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.#handle(req, res).catch((err: unknown) => {
        this.#options.logger.error({ err }, 'phone setup page request failed');
        if (!res.headersSent) notFound(res);
      });
    });
    const address = this.#server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    const urlHost = this.#options.urlHost;
    this.url = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${this.port}/${this.#token}/`;
    const ttl = this.expiresAt.getTime() - Date.now();
    this.#timer = setTimeout(() => void this.close(), ttl).unref();
    this.#options.logger.info({ account: this.account, port: this.port }, 'phone setup page open');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const match = /^\/([^/?#]+)\/([^/?#]*)(\?.*)?$/.exec(req.url ?? '');
    const post = req.method === 'POST' && match?.[2] === FILES.profile;
    if (
      this.#closed ||
      (req.method !== 'GET' && req.method !== 'HEAD' && !post) ||
      !match ||
      !sameToken(match[1], this.#token)
    )
      return notFound(res);
    const file = match[2];
    // The profile form is POSTed so a typed password never travels in a URL (history, logs).
    const query = post ? await readForm(req) : new URLSearchParams(match[3]?.slice(1) ?? '');
    if (!query) return sendMessage(res, 413, 'The form was too large. Go back and try again.');
    if (!post && query.has('password'))
      return sendMessage(res, 400, 'Send the password with the form on the setup page.');
    const host = unmapped(req.socket.localAddress ?? this.#options.urlHost);
    this.#options.logger.info(
      { file: file || 'page', remote: req.socket.remoteAddress },
      'phone setup request',
    );
    if (file === '') return this.#page(res, host);
    if (file === FILES.der && this.#ca)
      return send(res, 200, 'application/x-x509-ca-cert', this.#ca.der, FILES.der);
    if (file === FILES.pem && this.#ca)
      return send(res, 200, 'application/x-pem-file', this.#ca.pem, FILES.pem);
    if (file === FILES.autoconfig) return this.#autoconfig(res, host, query);
    if (file === FILES.profile) return this.#profile(res, host, query);
    notFound(res);
  }

  #page(res: ServerResponse, host: string): void {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    );
    const html = pageHtml({
      account: this.account,
      hostName: this.#options.hostName,
      host,
      imapsPort: this.#options.imapsPort,
      ...(this.#options.submission && { submission: this.#options.submission }),
      ...(this.#ca && { caFingerprintSha256: this.#ca.fingerprint }),
      expiresAt: this.expiresAt,
    });
    send(res, 200, 'text/html; charset=utf-8', html);
  }

  /** Mailport's own submission when it is on; else what the user typed into the form. */
  #outgoing(host: string, query: URLSearchParams): OutgoingServer | string | undefined {
    const { submission } = this.#options;
    return submission ? mailportOutgoing(host, this.account, submission) : outgoingServer(query);
  }

  #autoconfig(res: ServerResponse, host: string, query: URLSearchParams): void {
    const outgoing = this.#outgoing(host, query);
    const body = buildAutoconfig({
      hostName: this.#options.hostName,
      incoming: { host, port: this.#options.imapsPort, username: this.account },
      ...(outgoing && typeof outgoing === 'object' && { outgoing }),
    });
    send(res, 200, AUTOCONFIG_TYPE, body);
  }

  async #profile(res: ServerResponse, host: string, query: URLSearchParams): Promise<void> {
    const outgoing = this.#outgoing(host, query);
    if (typeof outgoing !== 'object')
      return sendMessage(
        res,
        400,
        outgoing ??
          'Fill in the outgoing (SMTP) server you send mail through, then download the profile again.',
      );
    const password = query.get('password') || undefined;
    if (password !== undefined && this.#wrongPasswords >= MAX_WRONG_PASSWORDS)
      return sendMessage(
        res,
        403,
        'Too many wrong passwords on this page. Start phone setup again on the computer, or leave the password empty.',
      );
    if (password !== undefined && !(await this.#options.checkPassword(password))) {
      this.#wrongPasswords += 1;
      await new Promise((resolve) => setTimeout(resolve, WRONG_PASSWORD_DELAY_MS));
      return sendMessage(
        res,
        403,
        `That is not the Mailport password of ${this.account}. Go back and type it again, or leave it empty to type it on the phone later.`,
      );
    }
    const profile = buildMobileconfig({
      hostName: this.#options.hostName,
      incoming: {
        host,
        port: this.#options.imapsPort,
        username: this.account,
        ...(password !== undefined && { password }),
      },
      outgoing,
      ...(this.#ca && { caDer: this.#ca.der }),
    });
    send(res, 200, MOBILECONFIG_TYPE, profile, FILES.profile);
  }
}

/** An urlencoded form body, or undefined when it is over MAX_FORM_BYTES. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** The outgoing server from the form; a message when it is given but wrong; undefined when absent. */
function outgoingServer(query: URLSearchParams): OutgoingServer | string | undefined {
  const host = (query.get('smtpHost') ?? '').trim();
  if (!host) return undefined;
  if (host.length > 253 || !/^[A-Za-z0-9.:[\]-]+$/.test(host))
    return `“${host}” is not a server name: type a name such as smtp.example.com.`;
  const portText = (query.get('smtpPort') ?? '').trim() || '587';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return `“${portText}” is not a port: use the one your provider names (587 or 465).`;
  return {
    host,
    port,
    ssl: query.get('smtpSsl') === 'on',
    username: (query.get('smtpUser') ?? '').trim().slice(0, 256),
  };
}

/** `::ffff:10.0.0.2` → `10.0.0.2`: the form a phone dials and the certificate names. */
export function unmapped(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  filename?: string,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': bytes.length,
    ...(filename && { 'Content-Disposition': `attachment; filename="${filename}"` }),
  });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

function sendMessage(res: ServerResponse, status: number, message: string): void {
  const html = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Mailport</title><p>${escape(message)}</p><p><a href="./">Back</a></p>`;
  send(res, status, 'text/html; charset=utf-8', html);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Length': 0 });
  res.end();
}
