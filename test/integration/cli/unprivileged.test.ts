/**
 * A first run as a normal user on Linux: the standard ports need administrator rights, so
 * Mailport moves to 10993 / 10143 / 10995 / 10110 and says so. Runs the CLI as `nobody`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../../helpers/serve.js';
import { SettingsStore } from '../../../src-main/core/config/settings-store.js';

const canDropPrivileges = process.getuid?.() === 0 && existsSync('/usr/sbin/runuser');
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mailport-nobody-'));
  const settings = await SettingsStore.open(join(dataDir, 'settings.json'));
  await settings.update((s) => (s.bind.address = 'loopback'));
  await chmod(dataDir, 0o777);
  await chmod(join(dataDir, 'settings.json'), 0o666);
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe.skipIf(!canDropPrivileges)('first run without administrator rights', () => {
  it('moves the standard ports above 1024 and says so', async () => {
    const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, CLI, 'serve'], {
      env: { ...process.env, MAILPORT_DATA_DIR: dataDir, HOME: dataDir },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    const exited = new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 200 && !output.includes('Press Ctrl-C'); i++)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await exited;
    expect(output).toContain('Ports below 1024 need administrator rights here');
    expect(output).toContain('imaps 993 → 10993');
    expect(output).toContain('pop3 110 → 10110');
    expect(output).toMatch(
      /IMAP over TLS \(imaps\)\s+(listening on 127\.0\.0\.1:10993|not available)/,
    );
    const saved = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'));
    expect([
      saved.listeners.imaps.port,
      saved.listeners.imap.port,
      saved.listeners.pop3s.port,
      saved.listeners.pop3.port,
    ]).toEqual([10993, 10143, 10995, 10110]);
    // The welcome message tells the phone the ports Mailport really serves on.
    const inbox = join(dataDir, 'Maildir');
    const [file] = [
      ...(await readdir(join(inbox, 'new'))).map((f) => join(inbox, 'new', f)),
      ...(await readdir(join(inbox, 'cur'))).map((f) => join(inbox, 'cur', f)),
    ];
    const welcome = await readFile(file!, 'utf8');
    expect(welcome).toMatch(/IMAP port: +10993, security SSL\/TLS/);
    expect(welcome).toMatch(/POP3 port: +10995, security SSL\/TLS/);
  });
});
