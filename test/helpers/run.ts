import { execFile } from 'node:child_process';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program and resolves with its exit code and output (never rejects on exit status). */
export function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
        cwd: options.cwd,
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          reject(err);
          return;
        }
        resolve({ code: child.exitCode ?? (err ? 1 : 0), stdout, stderr });
      },
    );
    if (options.input !== undefined) {
      // A program may exit without reading its input (EPIPE): its exit code and output are the
      // result, not an uncaught error in the test run (seen once in a clean-clone CI run).
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
  });
}
