/**
 * The small promises a new user meets on the command line (issue 17, item 8): passwords long
 * enough, a damaged settings file copied once, duplicate names refused, the running instance's
 * connections listed, `--version`, negative values, a closed pipe, `admin-url` with nothing
 * serving.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../helpers/run.js';
import { CLI, runMailport, setUpMailport } from '../../helpers/serve.js';
import { freePort } from '../../helpers/ports.js';
import { LineClient } from '../../helpers/line-client.js';

let dataDir: string;
let home: string;
const env = () => ({ ...process.env, MAILPORT_DATA_DIR: dataDir, HOME: home });
const canDropPrivileges = process.getuid?.() === 0 && existsSync('/usr/sbin/runuser');
const settingsFile = async () => JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'));
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

describe('passwords a user chooses', () => {
  it('refuses one shorter than 8 characters, on add and on passwd, and writes nothing', async () => {
    const added = await mailport(
      ['account', 'add', 'ann', '--maildir', join(home, 'mail'), '--password-stdin'],
      'abcde\n',
    );
    expect(added.code).toBe(1);
    expect(added.stderr).toMatch(/too short: use at least 8 characters/);
    expect(await readdir(dataDir)).not.toContain('settings.json');
    expect(await readdir(home)).toEqual([]); // no Maildir made for an account that was refused

    expect((await mailport(['account', 'add', 'ann', '--password-stdin'], 'eight ch\n')).code).toBe(
      0,
    );
    const before = await readFile(join(dataDir, 'settings.json'), 'utf8');
    const changed = await mailport(['account', 'passwd', 'ann', '--password-stdin'], '1234567\n');
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/at least 8 characters/);
    expect(await readFile(join(dataDir, 'settings.json'), 'utf8')).toBe(before);
  });
});

describe('a hand-edited settings file', () => {
  it('with two accounts of one name (ignoring case) is refused, naming the key', async () => {
    const hash = 'scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA';
    const accounts = [
      { name: 'ann', maildir: '/tmp/a', passwordHash: hash },
      { name: 'Ann', maildir: '/tmp/b', passwordHash: hash },
    ];
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ accounts }));
    const listed = await mailport(['account', 'list']);
    expect(listed.code).toBe(1);
    expect(listed.stderr).toMatch(/accounts\.1\.name: "Ann" is a second account of that name/);
  });

  it('that is damaged is copied aside once, however often the CLI runs', async () => {
    await writeFile(join(dataDir, 'settings.json'), '{"listeners": ');
    for (let i = 0; i < 3; i++) expect((await mailport(['account', 'list'])).code).toBe(1);
    const copies = (await readdir(dataDir)).filter((f) => f.startsWith('settings.json.invalid-'));
    expect(copies).toHaveLength(1);
    // A different damage is a different copy.
    await writeFile(join(dataDir, 'settings.json'), '{"listeners": [');
    expect((await mailport(['account', 'list'])).stderr).toMatch(/A copy was saved as/);
    expect((await readdir(dataDir)).filter((f) => f.includes('.invalid-'))).toHaveLength(2);
  });
});

describe('the command line itself', () => {
  it('prints its version', async () => {
    const pkg = JSON.parse(await readFile(resolve(CLI, '../../../../package.json'), 'utf8'));
    const r = await mailport(['--version']);
    expect([r.code, r.stdout]).toEqual([0, `mailport ${pkg.version}\n`]);
  });

  it('takes a negative value as a value and refuses it with the setting’s own reason', async () => {
    const r = await mailport(['config', 'set', 'limits.maxConnections', '-5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^limits\.maxConnections: /);
    expect(r.stderr).not.toMatch(/Unknown option|positional argument/);
  });

  it('names an unknown option plainly', async () => {
    const r = await mailport(['status', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('Unknown option "--frobnicate".');
  });

  it('stops quietly when its reader has gone (`| head`)', async () => {
    await mailport(['cert', 'status']); // create the certificate first
    const r = await run('sh', ['-c', `"${process.execPath}" "${CLI}" cert status | true`], {
      env: env(),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('`admin-url` fails and says so when nothing serves', async () => {
    await mailport(['config', 'set', 'admin.port', String(await freePort())]);
    const r = await mailport(['admin-url']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Mailport is not running/);
  });
});

describe('mailport status', () => {
  it('lists each open connection with its listener, address and account', async () => {
    const maildir = join(home, 'Maildir');
    const adminPort = await freePort();
    const setup = await setUpMailport(maildir, undefined, (s) => {
      s.admin.port = adminPort;
    });
    await rm(dataDir, { recursive: true, force: true });
    dataDir = setup.dataDir;
    const server = await runMailport(setup, { HOME: home });
    try {
      // Asked right after start on a loaded machine: a failed answer is asked again a few
      // times, and the last one's error and the server's output are shown if it stays failed.
      let none = await mailport(['status']);
      for (let i = 0; i < 5 && none.code !== 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        none = await mailport(['status']);
      }
      expect(none.stdout, `${none.stderr}\n${server.output()}`).toContain('No connections open.');
      const imap = await LineClient.connect(setup.ports.imap);
      await imap.line();
      await imap.imap('a', 'LOGIN tester "correct horse battery"');
      const pop3 = await LineClient.connect(setup.ports.pop3);
      await pop3.line();
      const status = await mailport(['status']);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain('2 connections open:');
      expect(status.stdout).toMatch(/ {2}imap +from 127\.0\.0\.1, signed in as tester, since /);
      expect(status.stdout).toMatch(/ {2}pop3 +from 127\.0\.0\.1, not signed in, since /);
      imap.socket.destroy();
      pop3.socket.destroy();
    } finally {
      await server.stop();
    }
  });
});

describe('settings that cannot work', () => {
  it('are refused by `config set` with the reason, and nothing is written', async () => {
    await mailport(['config', 'set', 'listeners.imap.port', String(await freePort())]);
    const before = await readFile(join(dataDir, 'settings.json'), 'utf8');
    const clash = await mailport(['config', 'set', 'listeners.pop3.port', '993']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(
      /listeners\.pop3\.port: port 993 is already set for listeners\.imaps\.port/,
    );
    const admin = await mailport(['config', 'set', 'admin.port', '995']);
    expect(admin.stderr).toMatch(/port 995 is already set for admin\.port/);
    const foreign = await mailport(['config', 'set', 'bind.address', '8.8.8.8']);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/bind\.address: 8\.8\.8\.8 is not an address of this computer/);
    const busy = await freePort();
    const blocker = createServer().listen(busy, '::');
    await once(blocker, 'listening');
    try {
      const taken = await mailport(['config', 'set', 'listeners.imap.port', String(busy)]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(/Another program is already using port/);
    } finally {
      blocker.close();
    }
    expect(await readFile(join(dataDir, 'settings.json'), 'utf8')).toBe(before);
    expect((await mailport(['config', 'set', 'bind.address', '127.0.0.1'])).code).toBe(0);
  });

  it.skipIf(!canDropPrivileges)(
    'a port below 1024 is refused for a user without the right',
    async () => {
      await mailport(['config', 'set', 'listeners.imap.port', '10143']);
      await chmod(dataDir, 0o777);
      await chmod(join(dataDir, 'settings.json'), 0o666);
      const r = await run(
        'runuser',
        [
          '-u',
          'nobody',
          '--',
          process.execPath,
          CLI,
          'config',
          'set',
          'listeners.imap.port',
          '143',
        ],
        { env: env() },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/listeners\.imap\.port: Port 143 needs administrator rights/);
      expect((await settingsFile()).listeners.imap.port).toBe(10143);
    },
  );

  it('a listener whose port was taken serves once the port is free again', async () => {
    const busy = await freePort();
    const adminPort = await freePort();
    const setup = await setUpMailport(join(home, 'Maildir'), undefined, (s) => {
      s.listeners.imap.port = busy;
      s.admin.port = adminPort;
    });
    const blocker = createServer().listen(busy, '127.0.0.1');
    await once(blocker, 'listening');
    const server = await runMailport(setup, { HOME: home, MAILPORT_LISTENER_RETRY_MS: '300' });
    try {
      expect(server.output()).toMatch(
        /IMAP with STARTTLS \(imap\)\s+not available: Another program/,
      );
      blocker.close();
      let greeting = '';
      for (let i = 0; i < 50 && !greeting; i++) {
        await new Promise((r) => setTimeout(r, 200));
        greeting = await LineClient.connect(busy).then(
          async (c) => {
            const line = await c.line();
            c.socket.destroy();
            return line;
          },
          () => '',
        );
      }
      expect(greeting).toMatch(/^\* OK /);
    } finally {
      await server.stop();
    }
  });
});

describe('the data dir', () => {
  it('is private: 0700, and the app and protocol logs 0600, also when an older run left them open', async () => {
    const fresh = join(home, 'data'); // does not exist yet
    const setup = await setUpMailport(join(home, 'Maildir'), undefined, (s) => {
      s.listeners.imap.protocolLog = true;
    });
    await rm(fresh, { recursive: true, force: true });
    await cp(setup.dataDir, fresh, { recursive: true });
    // As an older version left them: readable by everyone.
    await chmod(fresh, 0o755);
    await mkdir(join(fresh, 'logs'), { mode: 0o755 });
    await writeFile(join(fresh, 'mailport.log'), '', { mode: 0o644 });
    await writeFile(join(fresh, 'logs', 'imap.log'), '', { mode: 0o644 });
    const server = await runMailport({ ...setup, dataDir: fresh }, { HOME: home });
    try {
      const imap = await LineClient.connect(setup.ports.imap);
      await imap.line();
      await imap.imap('a', 'LOGOUT');
      const mode = async (path: string) => (await stat(path)).mode & 0o777;
      expect(await mode(fresh)).toBe(0o700);
      expect(await mode(join(fresh, 'logs'))).toBe(0o700);
      await expect.poll(() => mode(join(fresh, 'mailport.log'))).toBe(0o600);
      await expect.poll(() => mode(join(fresh, 'logs', 'imap.log'))).toBe(0o600);
    } finally {
      await server.stop();
      await rm(setup.dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm run dist', () => {
  it('says which Node the desktop build needs instead of failing inside its tools', async () => {
    const script = resolve(CLI, '../../../../scripts/desktop-node.mjs');
    const r = await run(process.execPath, [script]);
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    const newEnough = major > 22 || (major === 22 && minor >= 12);
    expect(r.code).toBe(newEnough ? 0 : 1);
    if (!newEnough) {
      expect(r.stderr).toContain('Building the desktop app needs Node 22.12 or newer');
      expect(r.stderr).toContain(`this is Node ${process.versions.node}`);
    }
    const pkg = JSON.parse(await readFile(resolve(CLI, '../../../../package.json'), 'utf8'));
    expect(pkg.scripts.dist).toMatch(/^node scripts\/desktop-node\.mjs && /);
    expect(pkg.engines.node).toBe('>=20');
  });
});
