/**
 * "Start at login" on Linux: an XDG autostart entry (the Desktop Application Autostart
 * Specification) in $XDG_CONFIG_HOME/autostart. macOS and Windows use Electron's login items
 * instead (main.ts). Mailport starts hidden in the tray when launched this way.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const HIDDEN_FLAG = '--hidden';

export function autostartFile(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const config = env.XDG_CONFIG_HOME || join(home, '.config');
  return join(config, 'autostart', 'mailport.desktop');
}

/** The command to start: the AppImage itself when run from one (its mount path changes). */
export function launchCommand(execPath: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.APPIMAGE || execPath;
}

/** Desktop Entry values quote with double quotes; `"`, `` ` ``, `$` and `\` are escaped. */
function quoteExec(path: string): string {
  return `"${path.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(command: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Mailport',
    'Comment=Serve the mail on this computer to your phones',
    `Exec=${quoteExec(command)} ${HIDDEN_FLAG}`,
    'Icon=mailport',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export async function setLinuxAutostart(on: boolean, command: string, file = autostartFile()) {
  if (!on) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, autostartEntry(command), { mode: 0o644 });
  await rename(temp, file);
}

export async function isLinuxAutostartOn(file = autostartFile()): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.includes('Name=Mailport') && !/^Hidden=true$/m.test(text);
}
