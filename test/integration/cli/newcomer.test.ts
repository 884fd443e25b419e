/**
 * The small promises a new user meets on the command line (issue 17, item 8): passwords long
 * enough, a damaged settings file copied once, duplicate names refused, the running instance's
 * connections listed, `--version`, negative values, a closed pipe, `admin-url` with nothing
 * serving.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../helpers/run.js';
import { CLI, runMailport, setUpMailport } from '../../helpers/serve.js';
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
      const none = await mailport(['status']);
      expect(none.stdout).toContain('No connections open.');
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
