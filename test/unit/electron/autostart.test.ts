import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  autostartFile,
  isLinuxAutostartOn,
  launchCommand,
  setLinuxAutostart,
} from '../../../src-main/electron/autostart.js';

let work: string | undefined;
afterEach(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('start at login on Linux', () => {
  it('writes an XDG autostart entry that starts hidden, and removes it', async () => {
    work = await mkdtemp(join(tmpdir(), 'mailport-autostart-'));
    const file = autostartFile({ XDG_CONFIG_HOME: join(work, 'config') }, '/home/nobody');
    expect(file).toBe(join(work, 'config', 'autostart', 'mailport.desktop'));
    expect(await isLinuxAutostartOn(file)).toBe(false);
    await setLinuxAutostart(true, '/opt/Mail "port"/mailport $HOME', file);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toBe('[Desktop Entry]');
    expect(text).toContain('Type=Application');
    expect(text).toContain('Exec="/opt/Mail \\"port\\"/mailport \\$HOME" --hidden');
    expect(await isLinuxAutostartOn(file)).toBe(true);
    await setLinuxAutostart(false, '/opt/mailport', file);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    expect(await isLinuxAutostartOn(file)).toBe(false);
  });

  it('starts the AppImage itself, not its temporary mount', () => {
    expect(
      launchCommand('/tmp/.mount_Mailx/mailport', { APPIMAGE: '/home/me/Mailport.AppImage' }),
    ).toBe('/home/me/Mailport.AppImage');
    expect(launchCommand('/usr/bin/mailport', {})).toBe('/usr/bin/mailport');
  });
});
