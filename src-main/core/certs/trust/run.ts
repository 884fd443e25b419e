/**
 * Running the platform's own tools (certutil, update-ca-certificates, security, certutil.exe):
 * argv only, never a shell line built from strings, so a path with spaces or quotes is safe.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  /** The exit status, or 'missing' when the program is not installed (ENOENT). */
  readonly code: number | 'missing';
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandRunner = (argv: readonly string[]) => Promise<CommandResult>;

/** Long enough for an administrator prompt to be answered. */
export const COMMAND_TIMEOUT_MS = 5 * 60_000;

export const runCommand: CommandRunner = (argv) =>
  new Promise((resolve) => {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('runCommand needs a program');
    execFile(
      file,
      args,
      { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const errno = (err as NodeJS.ErrnoException | null)?.code;
        if (errno === 'ENOENT') resolve({ code: 'missing', stdout: '', stderr: '' });
        else if (err && typeof errno !== 'number')
          resolve({ code: 1, stdout, stderr: stderr || err.message });
        else resolve({ code: typeof errno === 'number' ? errno : 0, stdout, stderr });
      },
    );
  });

/** The last line a tool printed on stderr (or stdout), for a message: "certutil said: …". */
export function toolSaid(result: CommandResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim());
  return lines.filter(Boolean).at(-1) ?? `exit status ${String(result.code)}`;
}
