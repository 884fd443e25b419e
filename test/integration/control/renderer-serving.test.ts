/**
 * The admin server serves the built settings window at `/`: index.html and its assets with
 * their content types and a strict Content-Security-Policy, a sign-in page without the token,
 * and nothing outside the renderer folder whatever the path says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminServer } from '../../../src-main/core/control/http-server.js';
import { createControlApi } from '../../../src-main/core/control/control-api.js';
import { silentLogger } from '../../../src-main/core/log/logger.js';
import { startService, type TestService } from '../../helpers/service.js';

const TOKEN = 'c'.repeat(64);
const SECRET = 'SECRET-OUTSIDE-THE-RENDERER';
const INDEX =
  '<!doctype html><title>Mailport</title><script type="module" src="./assets/app.js"></script>';
let t: TestService;
let admin: AdminServer;
let bare: AdminServer;

beforeAll(async () => {
  t = await startService();
  const work = await mkdtemp(join(tmpdir(), 'mailport-renderer-'));
  const dir = join(work, 'renderer');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log("app");\n');
  await writeFile(join(dir, 'assets', 'app.css'), 'body { margin: 0 }\n');
  await writeFile(join(work, 'secret.txt'), SECRET);
  await writeFile(join(work, 'renderer-evil.txt'), SECRET); // shares the folder's name prefix
  await symlink(join(work, 'secret.txt'), join(dir, 'link-out.txt'));
  const options = {
    api: createControlApi(t.service),
    events: t.service.events,
    token: TOKEN,
    port: 0,
    logger: silentLogger(),
  };
  admin = new AdminServer({ ...options, rendererDir: dir });
  bare = new AdminServer({ ...options, rendererDir: join(work, 'not-built') });
  await admin.start();
  await bare.start();
});
afterAll(async () => {
  await admin?.stop();
  await bare?.stop();
  await t?.stop();
});

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A GET with the path sent exactly as written (no client-side normalisation). */
function get(path: string, { token = true, server = admin } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
        (token ? `Authorization: Bearer ${TOKEN}\r\n` : '') +
        'Connection: close\r\n\r\n',
    );
  });
}

describe('the settings window at /', () => {
  it('serves index.html and its assets with content types and a strict CSP', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toBe(INDEX);
    const csp = page.headers['content-security-policy'] ?? '';
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(await get('/index.html')).toMatchObject({ status: 200, body: INDEX });
    const js = await get('/assets/app.js');
    expect([js.status, js.headers['content-type']]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    const css = await get('/assets/app.css?v=1');
    expect([css.status, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    expect((await get('/assets/')).status).toBe(404);
    expect((await get('/assets')).status).toBe(404);
    expect((await get('/missing.js')).status).toBe(404);
  });

  it('shows a page that says how to sign in when the token is missing, and no file', async () => {
    for (const path of ['/', '/assets/app.js']) {
      const page = await get(path, { token: false });
      expect(page.status).toBe(401);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('mailport admin-url');
      expect(page.body).not.toContain('app.js');
      expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    }
    const api = await get('/api/getStatus', { token: false });
    expect([api.status, api.headers['content-type']]).toEqual([401, 'application/json']);
  });

  it('never serves a file outside the renderer folder', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/%2E%2E/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets%2f..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/.%2e/secret.txt',
      '/link-out.txt',
      '/../renderer-evil.txt',
      '/index.html%00.js',
      '/%ff%fe',
      '//secret.txt',
      `/${'../'.repeat(20)}etc/passwd`,
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    ];
    for (const path of attempts) {
      const reply = await get(path);
      expect(reply.status, path).not.toBe(200);
      expect(reply.body, path).not.toContain(SECRET);
      expect(reply.body, path).not.toContain('root:');
    }
  });

  it('says to build the window when it is not built, and the API still answers', async () => {
    const page = await get('/', { server: bare });
    expect(page.status).toBe(503);
    expect(page.body).toContain('npm run build');
    expect((await get('/assets/app.js', { server: bare })).status).toBe(404);
  });
});

describe('stopping', () => {
  it('ends at once with an event stream and a half-sent request open', async () => {
    const server = new AdminServer({
      api: createControlApi(t.service),
      events: t.service.events,
      token: TOKEN,
      port: 0,
      logger: silentLogger(),
    });
    await server.start();
    const stream = connect(server.port, '127.0.0.1');
    stream.write(
      `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    );
    await new Promise((resolve) => stream.once('data', resolve));
    const half = connect(server.port, '127.0.0.1');
    half.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`); // no blank line yet
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    stream.destroy();
    half.destroy();
  });
});
