/**
 * The `mailport` command as a user runs it: accounts, settings, first run and serve.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { run } from '../../helpers/run.js';
import { CLI, setUpMailport } from '../../helpers/serve.js';
import { freePort } from '../../helpers/ports.js';
import { LineClient } from '../../helpers/line-client.js';

let dataDir: string;
let home: string;
const env = () => ({ ...process.env, MAILPORT_DATA_DIR: dataDir, HOME: home });
const mailport = (args: string[], input?: string) =>
  run(process.execPath, [CLI, ...args], { env: env(), ...(input !== undefined && { input }) });

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mailport-cli-'));
  home = await mkdtemp(join(tmpdir(), 'mailport-home-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

const settingsFile = async () => JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'));

describe('mailport account', () => {
  it('adds with a generated password shown once, lists, changes the password and removes', async () => {
    const added = await mailport(['account', 'add', 'alice', '--maildir', join(home, 'mail')]);
    expect(added.code).toBe(0);
    // The command line creates a folder that does not exist, and says so (a typo shows here).
    expect(added.stdout).toContain(`Created the folder ${join(home, 'mail')} (it did not exist).`);
    const password = /Password: (\S+)/.exec(added.stdout)?.[1];
    expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const settings = await settingsFile();
    expect(settings.accounts[0].passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(settings)).not.toContain(password);
    expect((await stat(join(dataDir, 'settings.json'))).mode & 0o777).toBe(0o600);
    expect(await readdir(join(home, 'mail'))).toEqual(['cur', 'new', 'tmp']);

    const listed = await mailport(['account', 'list']);
    expect(listed.stdout).toBe(`alice\t${join(home, 'mail')}\n`);
    expect(listed.stdout).not.toContain('scrypt');

    const changed = await mailport(
      ['account', 'passwd', 'alice', '--password-stdin'],
      'new secret\n',
    );
    expect(changed.code).toBe(0);
    expect(changed.stdout).not.toContain('Password:');
    expect((await settingsFile()).accounts[0].passwordHash).not.toBe(
      settings.accounts[0].passwordHash,
    );

    expect((await mailport(['account', 'add', 'ALICE'])).stderr).toMatch(/already exists/);
    expect((await mailport(['account', 'remove', 'alice'])).code).toBe(0);
    expect(await readdir(join(home, 'mail'))).toEqual(['cur', 'new', 'tmp']); // mail kept
    const missing = await mailport(['account', 'remove', 'alice']);
    expect([missing.code, missing.stderr]).toEqual([1, 'There is no account named "alice"\n']);
  });

  it('refuses a Maildir in a folder of other files, or outside home without --allow-any-path', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'mailport-etc-'));
    try {
      await writeFile(join(elsewhere, 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
      const outside = await mailport(['account', 'add', 'etc', '--maildir', elsewhere]);
      expect(outside.code).toBe(1);
      expect(outside.stderr).toMatch(/outside your home folder.*add --allow-any-path\.\n$/);
      const forced = await mailport([
        'account',
        'add',
        'etc',
        '--maildir',
        elsewhere,
        '--allow-any-path',
      ]);
      expect(forced.code).toBe(1);
      expect(forced.stderr).toMatch(/holds other files and is not a Maildir/);
      await mkdir(join(home, 'project'));
      await writeFile(join(home, 'project', 'notes.txt'), 'mine');
      const inHome = await mailport(['account', 'add', 'p', '--maildir', join(home, 'project')]);
      expect([inHome.code, inHome.stderr]).toEqual([1, expect.stringMatching(/not a Maildir/)]);
      // Nothing created on disk, no account written.
      expect(await readdir(elsewhere)).toEqual(['passwd']);
      expect(await readdir(join(home, 'project'))).toEqual(['notes.txt']);
      expect((await mailport(['account', 'list'])).stdout).toMatch(/^No accounts yet/);
      // An existing Maildir is served as it is.
      const existing = join(home, 'Maildir');
      for (const sub of ['cur', 'new', 'tmp'])
        await mkdir(join(existing, sub), { recursive: true });
      await writeFile(join(existing, 'cur', '1.M1P1.host:2,S'), 'Subject: kept\n\n');
      expect((await mailport(['account', 'add', 'me', '--maildir', existing])).code).toBe(0);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('refuses bad names and bad usage with a clear message', async () => {
    const bad = await mailport(['account', 'add', '../evil']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a valid account name/);
    const usage = await mailport(['account', 'add']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/NAME is missing/);
    expect((await mailport(['frobnicate'])).code).toBe(2);
    expect((await mailport(['--bogus'])).code).toBe(2);
  });
});

describe('mailport config', () => {
  it('gets and sets dotted keys and refuses wrong keys and values without writing', async () => {
    expect((await mailport(['config', 'get', 'listeners.imaps.port'])).stdout).toBe('993\n');
    expect((await mailport(['config', 'set', 'listeners.imaps.port', '10993'])).code).toBe(0);
    expect((await mailport(['config', 'set', 'listeners.pop3.enabled', 'false'])).code).toBe(0);
    expect((await mailport(['config', 'set', 'bind.address', '127.0.0.1'])).code).toBe(0);
    expect((await mailport(['config', 'set', 'security.loginPolicy', 'plaintext'])).code).toBe(0);
    const before = await readFile(join(dataDir, 'settings.json'), 'utf8');
    const s = JSON.parse(before);
    expect([
      s.listeners.imaps.port,
      s.listeners.pop3.enabled,
      s.bind.address,
      s.security.loginPolicy,
    ]).toEqual([10993, false, '127.0.0.1', 'plaintext']);

    const wrongKey = await mailport(['config', 'set', 'listeners.imap.prot', '1']);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('Unknown setting "listeners.imap.prot"');
    expect(wrongKey.stderr).toContain('listeners.imap.port');
    for (const [key, value, hint] of [
      ['security.loginPolicy', 'maybe', 'secure | plaintext'],
      ['listeners.imap.port', '70000', 'a port number 1–65535'],
      ['listeners.imap.enabled', 'yes', 'expected boolean'],
      ['bind.address', 'my-laptop', 'IP address'],
    ]) {
      const r = await mailport(['config', 'set', key!, value!]);
      expect(r.code, `${key}=${value}`).toBe(1);
      expect(r.stderr).toContain(key);
      expect(r.stderr).toContain(hint);
    }
    expect(await readFile(join(dataDir, 'settings.json'), 'utf8')).toBe(before);
    const all = await mailport(['config', 'get']);
    expect(all.stdout).toContain('listeners.imaps.port = 10993\n');
  });

  it('refuses to start on a corrupt settings file and leaves it as it was', async () => {
    await writeFile(join(dataDir, 'settings.json'), '{"security": {"loginPolicy": "open"}}');
    const r = await mailport(['serve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('security.loginPolicy');
    expect(r.stderr).toContain('has not been changed');
    expect(await readFile(join(dataDir, 'settings.json'), 'utf8')).toBe(
      '{"security": {"loginPolicy": "open"}}',
    );
    expect((await readdir(dataDir)).some((f) => f.startsWith('settings.json.invalid-'))).toBe(true);
  });
});

describe('mailport cert', () => {
  it('creates the certificate on first need and shows its names, fingerprint and files', async () => {
    const r = await mailport(['cert', 'status']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Created a local CA and a certificate');
    expect(r.stdout).toMatch(/Names: +.*localhost.*127\.0\.0\.1/);
    expect(r.stdout).toMatch(/SHA-256: +([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect((await stat(join(dataDir, 'certs', 'server-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'certs', 'ca-key.pem'))).mode & 0o777).toBe(0o600);
    const again = await mailport(['cert', 'status']);
    expect(again.stdout).not.toContain('Created');
    const fingerprint = (out: string) => /SHA-256: +(\S+)/.exec(out)![1];
    expect(fingerprint(again.stdout)).toBe(fingerprint(r.stdout));
    const renewed = await mailport(['cert', 'renew']);
    expect(fingerprint(renewed.stdout)).not.toBe(fingerprint(r.stdout));
  });
});

describe('mailport serve', () => {
  async function serveUntilReady(): Promise<{
    output: () => string;
    stop: () => Promise<number | null>;
  }> {
    const child = spawn(process.execPath, [CLI, 'serve'], { env: env() });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    for (let i = 0; i < 200 && !output.includes('Press Ctrl-C'); i++)
      await new Promise((r) => setTimeout(r, 50));
    return {
      output: () => output,
      stop: async () => {
        child.kill('SIGINT');
        return exited;
      },
    };
  }

  async function useFreePorts(): Promise<number> {
    const pop3 = await freePort();
    await mailport(['config', 'set', 'listeners.pop3.port', String(pop3)]);
    await mailport(['config', 'set', 'listeners.pop3s.port', String(await freePort())]);
    await mailport(['config', 'set', 'listeners.imap.port', String(await freePort())]);
    await mailport(['config', 'set', 'listeners.imaps.port', String(await freePort())]);
    await mailport(['config', 'set', 'bind.address', 'loopback']);
    await mailport(['config', 'set', 'admin.port', String(await freePort())]);
    await mailport(['config', 'set', 'security.loginPolicy', 'plaintext']);
    return pop3;
  }

  it('on first run creates an account on a new Maildir with a welcome message, then stops on SIGINT', async () => {
    const pop3 = await useFreePorts();
    const server = await serveUntilReady();
    const out = server.output();
    expect(out).toMatch(/First run: created account "\S+" serving .*Maildir/);
    const password = /Password: (\S+)/.exec(out)![1]!;
    expect(out).toMatch(
      new RegExp(`POP3 with STLS \\(pop3\\)\\s+listening on 127\\.0\\.0\\.1:${pop3}`),
    );
    const account = /account "(\S+)"/.exec(out)![1]!;

    const c = await LineClient.connect(pop3);
    await c.line();
    await c.command(`USER ${account}`);
    expect(await c.command(`PASS ${password}`)).toBe('+OK Logged in.');
    c.send('RETR 1\r\n');
    const message = (await c.until(/^\.$/)).join('\n');
    expect(message).toContain('Subject: Welcome to Mailport');
    expect(message).toContain(`User name:      ${account}`);
    // Served on loopback (useFreePorts): the welcome mail says phones cannot connect, and how.
    expect(message).toContain('Phones cannot connect: Mailport answers this computer only');
    expect(message).toContain('mailport config set bind.address all');
    expect(message).not.toMatch(/Server: +127\.0\.0\.1|\.local\b(?!host)/);
    c.close();

    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain('Stopped.');
    const again = await serveUntilReady(); // second run: no new account, no password printed
    expect(again.output()).not.toContain('First run');
    await again.stop();
  });

  it('applies `mailport config set` to a running server without a restart', async () => {
    const pop3 = await useFreePorts();
    const server = await serveUntilReady();
    const moved = await freePort();
    expect((await mailport(['config', 'set', 'listeners.pop3.port', String(moved)])).code).toBe(0);
    let client: LineClient | undefined;
    for (let i = 0; i < 60 && !client; i++) {
      client = await LineClient.connect(moved).catch(() => undefined);
      if (!client) await new Promise((r) => setTimeout(r, 100));
    }
    expect(await client!.line()).toMatch(/^\+OK/);
    client!.close();
    await expect(LineClient.connect(pop3)).rejects.toThrow(/ECONNREFUSED/);
    expect(server.output()).toContain('Settings changed: applied.');
    await server.stop();
  });

  it('`mailport status` and `admin-url` talk to the running instance', async () => {
    const pop3 = await useFreePorts();
    const down = await mailport(['status']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/Mailport is not running/);
    const server = await serveUntilReady();
    const status = await mailport(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(`POP3 with STLS \\(pop3\\)\\s+listening on port ${pop3}`),
    );
    expect(status.stdout).toMatch(/IMAP over TLS \(imaps\)\s+listening on port \d+/);
    // bind.address is loopback: no address is offered to phones, and the fix is named.
    expect(status.stdout).not.toContain('Phones on this network can connect');
    expect(status.stdout).not.toContain('.local');
    expect(status.stdout).toContain('Phones cannot connect: Mailport answers this computer only');
    expect(status.stdout).toContain('`mailport config set bind.address all`');
    const url = (await mailport(['admin-url'])).stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?token=[0-9a-f]{64}$/);
    expect((await stat(join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
    // Moving the admin port moves the admin server.
    await mailport(['config', 'set', 'admin.port', String(await freePort())]);
    let moved = await mailport(['status']);
    for (let i = 0; i < 30 && moved.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      moved = await mailport(['status']);
    }
    expect(moved.code, moved.stderr).toBe(0);
    await server.stop();
  });

  it('writes a protocol log for the listeners that ask for one, credentials redacted', async () => {
    const pop3 = await useFreePorts();
    await mailport(['account', 'add', 'logger', '--password-stdin'], 'Secret-Pass-123\n');
    await mailport(['config', 'set', 'listeners.pop3.protocolLog', 'true']);
    const server = await serveUntilReady();
    const c = await LineClient.connect(pop3);
    await c.line();
    await c.command('USER logger');
    expect(await c.command('PASS Secret-Pass-123')).toBe('+OK Logged in.');
    await c.command('QUIT');
    await server.stop();
    const protocol = await readFile(join(dataDir, 'logs', 'pop3.log'), 'utf8');
    const lines = protocol
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; listener: string; remote: string });
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['C: USER logger', 'C: PASS <redacted>', 'S: +OK Logged in.']),
    );
    expect(lines.every((l) => l.listener === 'pop3' && l.remote === '127.0.0.1')).toBe(true);
    expect(protocol).not.toContain('Secret-Pass-123');
    const app = await readFile(join(dataDir, 'mailport.log'), 'utf8');
    expect(app).not.toContain('Secret-Pass-123');
    expect(app).not.toContain('C: USER');
    await expect(stat(join(dataDir, 'logs', 'imap.log'))).rejects.toThrow(/ENOENT/);
    const shown = await mailport(['logs']);
    expect(shown.stdout).toMatch(/info POP3 login account=logger/);
  });

  it('serves an existing ~/Maildir on first run instead of creating one', async () => {
    await useFreePorts();
    for (const sub of ['cur', 'new', 'tmp'])
      await mkdir(join(home, 'Maildir', sub), { recursive: true });
    const server = await serveUntilReady();
    expect(server.output()).toContain(`serving ${join(home, 'Maildir')}`);
    await server.stop();
    expect(await readdir(join(home, 'Maildir', 'new'))).toEqual([]); // no welcome message added
  });
});

describe('npm start', () => {
  it('serves headless and says why in one line when the Electron runtime cannot start', async () => {
    const maildir = await mkdtemp(join(tmpdir(), 'mailport-start-'));
    const setup = await setUpMailport(maildir);
    const child = spawn(process.execPath, ['scripts/start.mjs', '--no-build'], {
      env: { ...process.env, MAILPORT_DATA_DIR: setup.dataDir, DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      await expect.poll(() => output, { timeout: 30_000 }).toContain('Press Ctrl-C to stop.');
      const first = output.split('\n')[0]!;
      expect(first).toMatch(/^Mailport: .+, so it runs headless \(mailport serve\)\.$/);
      const client = await LineClient.connect(setup.ports.pop3);
      expect(await client.line()).toMatch(/^\+OK/);
      client.close();
      // The server runs with glibc's mmap threshold fixed (memory it frees goes back).
      const children = await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8');
      const serve = children.trim().split(' ')[0];
      const environment = (await readFile(`/proc/${serve}/environ`, 'latin1')).split('\0');
      expect(environment).toContain('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(maildir, { recursive: true, force: true });
      await rm(setup.dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
