import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError, SettingsStore } from '../../../src-main/core/config/settings-store.js';
import { getSetting, setSetting } from '../../../src-main/core/config/keys.js';
import { defaultDataDir } from '../../../src-main/core/config/paths.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailport-settings-'));
  path = join(dir, 'settings.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('settings.json', () => {
  it('starts from the documented defaults', async () => {
    const s = (await SettingsStore.open(path)).current;
    expect([
      s.listeners.imaps.port,
      s.listeners.imap.port,
      s.listeners.pop3s.port,
      s.listeners.pop3.port,
    ]).toEqual([993, 143, 995, 110]);
    expect(s.security.loginPolicy).toBe('secure');
    expect(s.bind.address).toBe('all');
    expect(s.admin.port).toBe(7780);
  });

  it('reads a 0.1 file with one protocol-log switch as a switch on every listener', async () => {
    await writeFile(
      path,
      JSON.stringify({
        listeners: { imap: { port: 10143 } },
        logging: { level: 'warn', protocolLog: true },
      }),
    );
    const s = (await SettingsStore.open(path)).current;
    expect(s.logging).toEqual({ level: 'warn', maxFileKilobytes: 10240, keepFiles: 3 });
    expect(s.listeners.imap).toEqual({ enabled: true, port: 10143, protocolLog: true });
    expect(s.listeners.pop3s.protocolLog).toBe(true);
    await writeFile(path, JSON.stringify({ logging: { protocolLog: false } }));
    expect((await SettingsStore.open(path)).current.listeners.imaps.protocolLog).toBe(false);
  });

  it('writes a private file and reads back what it wrote', async () => {
    const store = await SettingsStore.open(path);
    await store.update((d) => setSetting(d, 'listeners.pop3.port', '10110'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await SettingsStore.open(path);
    expect(again.current.listeners.pop3.port).toBe(10110);
    expect(JSON.parse(await readFile(path, 'utf8')).listeners.pop3.port).toBe(10110);
    expect((await readdir(dir)).filter((f) => f.includes('tmp'))).toEqual([]);
  });

  it('refuses a corrupt file, names the problem, keeps it and makes a backup', async () => {
    await writeFile(path, '{"listeners": {"imap": {"port": 99999}}, "bogus": 1}');
    const err = await SettingsStore.open(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as Error).message).toMatch(/listeners\.imap\.port/);
    expect((err as Error).message).toMatch(/bogus: unknown key/);
    expect(await readFile(path, 'utf8')).toBe(
      '{"listeners": {"imap": {"port": 99999}}, "bogus": 1}',
    );
    const backup = (err as SettingsError).backup!;
    expect(await readFile(backup, 'utf8')).toBe(await readFile(path, 'utf8'));
  });

  it('refuses a file that is not JSON without touching it', async () => {
    await writeFile(path, '{ not json');
    await expect(SettingsStore.open(path)).rejects.toThrow(/not valid JSON/);
    expect(await readFile(path, 'utf8')).toBe('{ not json');
  });

  it('writes nothing when an update is invalid', async () => {
    const store = await SettingsStore.open(path);
    await store.update((d) => setSetting(d, 'listeners.imap.port', '10143'));
    const before = await readFile(path, 'utf8');
    await expect(
      store.update((d) => setSetting(d, 'security.loginPolicy', 'sometimes')),
    ).rejects.toThrow(/secure \| plaintext/);
    await expect(store.update((d) => setSetting(d, 'listeners.imap.port', '0'))).rejects.toThrow(
      SettingsError,
    );
    await expect(store.update((d) => setSetting(d, 'no.such.key', '1'))).rejects.toThrow(
      /listeners\.imap\.port/,
    );
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(getSetting(store.current, 'listeners.imap.port')).toBe(10143);
  });
});

describe('data dir', () => {
  it.each([
    ['linux', { XDG_CONFIG_HOME: '/x' }, '/x/Mailport'],
    ['linux', {}, '/home/u/.config/Mailport'],
    ['darwin', {}, '/home/u/Library/Application Support/Mailport'],
    ['linux', { MAILPORT_DATA_DIR: '/d' }, '/d'],
  ] as const)('%s %j → %s', (platform, env, expected) => {
    expect(defaultDataDir(env as NodeJS.ProcessEnv, platform, '/home/u')).toBe(expected);
  });
});
