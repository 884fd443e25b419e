/**
 * A terminal program driven through tmux, the way a person would use it: keys in with
 * `send-keys`, the screen read back with `capture-pane`. Each instance has its own tmux
 * server (its own socket name), so tests never touch another tmux.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './run.js';

export class TmuxScreen {
  readonly #socket = `mailport-test-${process.pid}-${randomBytes(4).toString('hex')}`;

  private constructor(readonly env: NodeJS.ProcessEnv) {}

  /** Starts `command` in a detached 200×50 session. */
  static async start(command: string, env: NodeJS.ProcessEnv): Promise<TmuxScreen> {
    const screen = new TmuxScreen(env);
    const r = await screen.#tmux(
      'new-session',
      '-d',
      '-x',
      '200',
      '-y',
      '50',
      '-s',
      'main',
      command,
    );
    if (r.code !== 0) throw new Error(`tmux did not start: ${r.stderr}`);
    return screen;
  }

  #tmux(...args: string[]) {
    return run('tmux', ['-L', this.#socket, '-f', '/dev/null', ...args], { env: this.env });
  }

  /** Sends keys as tmux names them (`Enter`, `C-u`, `q`); `literal` text is typed as is. */
  async keys(...keys: string[]): Promise<void> {
    await this.#tmux('send-keys', '-t', 'main', ...keys);
  }

  async type(text: string): Promise<void> {
    await this.#tmux('send-keys', '-t', 'main', '-l', text);
  }

  /** The screen's text now. */
  async text(): Promise<string> {
    const r = await this.#tmux('capture-pane', '-p', '-t', 'main');
    return r.stdout;
  }

  /** Polls the screen until `expected` matches it; fails with the last screen after `timeoutMs`. */
  async waitFor(expected: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.text();
      if (expected.test(screen)) return screen;
      await sleep(150);
    }
    throw new Error(`screen never showed ${expected}; it shows:\n${screen}`);
  }

  /** Ends this tmux server and anything still running in it. */
  async kill(): Promise<void> {
    await this.#tmux('kill-server');
  }
}
