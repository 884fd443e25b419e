/**
 * The loopback admin server (headless mode): every ControlApi method as `POST /api/<method>`
 * with a JSON body, events as Server-Sent Events at `GET /api/events`, the built renderer at
 * `/`. It listens on 127.0.0.1 and ::1 only, refuses any Host but localhost / 127.0.0.1 /
 * [::1] with its port (DNS rebinding), needs the admin token (Bearer header, or the cookie the
 * `/login?token=` link sets), and sends no CORS headers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { ServiceEvents } from '../events.js';
import type { Logger } from '../log/logger.js';
import { CONTROL_METHODS, ControlError, type ControlApi, type ControlMethod } from './api.js';
import { sameToken } from './admin-token.js';

const MAX_BODY_BYTES = 1024 * 1024;
const COOKIE = 'mailport_token';
const STATUS: Record<ControlError['code'], number> = {
  INVALID: 400,
  NOT_FOUND: 404,
  EXISTS: 409,
  CONFLICT: 409,
  CONFIRM: 409,
  CONFIRM_CREATE: 409,
  INTERNAL: 500,
};
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
/**
 * The settings window's policy: its own scripts and styles only (the build has no inline ones),
 * images from itself or data: URLs (the phone-setup QR code), API calls to this server only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const NOT_SIGNED_IN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to Mailport</title></head>
<body><main><h1>Sign in to Mailport</h1>
<p>This browser is not signed in to Mailport's settings. On this computer, run
<code>mailport admin-url</code> and open the link it prints.</p></main></body></html>
`;

export interface AdminServerOptions {
  readonly api: ControlApi;
  readonly events: ServiceEvents;
  readonly token: string;
  readonly port: number;
  readonly logger: Logger;
  /** The built renderer (dist/renderer); without it `/` says to run `npm run build`. */
  readonly rendererDir?: string;
}

export class AdminServer {
  readonly #options: AdminServerOptions;
  readonly #servers: Server[] = [];
  readonly #streams = new Set<ServerResponse>();
  port = 0;

  constructor(options: AdminServerOptions) {
    this.#options = options;
  }

  /** Listens on 127.0.0.1 (required) and ::1 (when this machine has IPv6). */
  async start(): Promise<void> {
    const first = await this.#listen('127.0.0.1', this.#options.port);
    this.port = first;
    await this.#listen('::1', first).catch(() => undefined);
  }

  #listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((req, res) => void this.#handle(req, res));
      server.once('error', reject);
      server.listen({ host, port, ipv6Only: host === '::1' }, () => {
        this.#servers.push(server);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /**
   * Stops listening and drops every connection at once: a browser's event stream reconnects
   * within moments, and `close()` alone would wait for it (and for keep-alive requests) forever.
   */
  async stop(): Promise<void> {
    for (const stream of this.#streams) stream.end();
    const closed = Promise.all(this.#servers.map((s) => new Promise((r) => s.close(r))));
    for (const s of this.#servers) s.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (!this.#hostAllowed(req.headers.host))
      return send(res, 403, { error: { code: 'FORBIDDEN', message: 'Unexpected Host header.' } });
    // Origin-form targets only ("/path?query"); "//x" is a path here, not a host.
    const target = req.url ?? '/';
    const url = target.startsWith('/') ? parseUrl(`http://localhost${target}`) : null;
    if (!url) return send(res, 400, { error: { code: 'INVALID', message: 'Bad request target.' } });
    if (url.pathname === '/login' && req.method === 'GET') return this.#login(url, res);
    if (!this.#authorized(req)) {
      if (req.method === 'GET' && !url.pathname.startsWith('/api/')) {
        res.writeHead(401, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        });
        res.end(NOT_SIGNED_IN_PAGE);
        return;
      }
      return send(res, 401, {
        error: {
          code: 'UNAUTHORIZED',
          message: 'Missing or wrong admin token: open the link `mailport admin-url` prints.',
        },
      });
    }
    if (url.pathname === '/api/events' && req.method === 'GET') return this.#events(res);
    if (url.pathname.startsWith('/api/')) return this.#call(url.pathname.slice(5), req, res);
    if (req.method === 'GET') return this.#static(url.pathname, res);
    return send(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found.' } });
  }

  #hostAllowed(host: string | undefined): boolean {
    const port = this.port;
    return (
      !!host &&
      [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].includes(host.toLowerCase())
    );
  }

  #authorized(req: IncomingMessage): boolean {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = (req.headers.cookie ?? '')
      .split(/;\s*/)
      .find((c) => c.startsWith(`${COOKIE}=`))
      ?.slice(COOKIE.length + 1);
    return sameToken(bearer, this.#options.token) || sameToken(cookie, this.#options.token);
  }

  #login(url: URL, res: ServerResponse): void {
    if (!sameToken(url.searchParams.get('token') ?? undefined, this.#options.token)) {
      return send(res, 401, {
        error: { code: 'UNAUTHORIZED', message: 'That login link is not valid any more.' },
      });
    }
    res.writeHead(303, {
      'Set-Cookie': `${COOKIE}=${this.#options.token}; HttpOnly; SameSite=Strict; Path=/`,
      Location: '/',
    });
    res.end();
  }

  async #call(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!Object.hasOwn(CONTROL_METHODS, name))
      return send(res, 404, { error: { code: 'NOT_FOUND', message: `No such method: ${name}` } });
    if (req.method !== 'POST')
      return send(res, 405, { error: { code: 'METHOD', message: 'Use POST.' } });
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      return send(res, 415, {
        error: { code: 'INVALID', message: 'Send a JSON body (Content-Type: application/json).' },
      });
    }
    const method = name as ControlMethod;
    let body: unknown;
    try {
      const text = await readBody(req);
      body = text ? JSON.parse(text) : {};
    } catch (err) {
      return send(res, 400, {
        error: { code: 'INVALID', message: `The body is not JSON: ${(err as Error).message}` },
      });
    }
    const parsed = CONTROL_METHODS[method].safeParse(body);
    if (!parsed.success) {
      const message = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
        .join('; ');
      return send(res, 400, { error: { code: 'INVALID', message } });
    }
    try {
      const call = this.#options.api[method] as (args: unknown) => Promise<unknown>;
      send(res, 200, await call(parsed.data));
    } catch (err) {
      if (err instanceof ControlError)
        return send(res, STATUS[err.code], { error: { code: err.code, message: err.message } });
      this.#options.logger.error({ err, method }, 'admin API call failed');
      send(res, 500, { error: { code: 'INTERNAL', message: 'Internal error: see the log.' } });
    }
  }

  #events(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    let id = 0;
    const unsubscribe = this.#options.events.subscribe((event) => {
      res.write(`id: ${++id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    this.#streams.add(res);
    res.once('close', () => {
      unsubscribe();
      this.#streams.delete(res);
    });
  }

  /** A file of the built renderer; `/` is its index.html. Nothing outside the folder. */
  async #static(pathname: string, res: ServerResponse): Promise<void> {
    const file = await this.#rendererFile(pathname === '/' ? '/index.html' : pathname);
    if (file === undefined)
      return send(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found.' } });
    if (file === null) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(
        'The settings window is not built: run `npm run build`. The API is at /api/ meanwhile.\n',
      );
      return;
    }
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    res.end(body);
  }

  /**
   * The real path of the file `pathname` names inside the renderer folder; undefined when there
   * is no such file there (or the name tries to leave the folder), null when there is no build.
   */
  async #rendererFile(pathname: string): Promise<string | null | undefined> {
    const dir = this.#options.rendererDir;
    const root = dir ? await realpath(dir).catch(() => undefined) : undefined;
    if (!root) return pathname === '/index.html' ? null : undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    // Names with NUL, backslashes or dot segments are refused before touching the disk.
    if (/[\0\\]/.test(decoded) || decoded.split('/').some((p) => p === '..' || p === '.'))
      return undefined;
    const candidate = resolve(root, `.${decoded}`);
    if (!candidate.startsWith(root + sep)) return undefined;
    const real = await realpath(candidate).catch(() => undefined);
    if (!real || !real.startsWith(root + sep)) return undefined;
    const info = await stat(real).catch(() => undefined);
    return info?.isFile() ? real : undefined;
  }
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
