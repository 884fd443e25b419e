/**
 * A real `mailport serve` on a seeded temporary Maildir, for tests that stop it, change the
 * Maildir or its state files behind its back, and start it again (CONDSTORE and QRESYNC
 * persistence). `dispose` in an `afterEach` closes the clients and removes everything.
 */
import { expect } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineClient } from './line-client.js';
import { runMailport, setUpMailport, type MailportSetup, type RunningMailport } from './serve.js';

export const USER = 'tester';
export const PASSWORD = 'correct horse battery';

export class ServedMaildir {
  /** Clients closed by `restart` and `dispose`. */
  readonly clients: LineClient[] = [];

  private constructor(
    readonly work: string,
    readonly maildir: string,
    readonly setup: MailportSetup,
    public server: RunningMailport,
  ) {}

  /**
   * `messages` messages in INBOX's cur/, one second apart (so UIDs follow the order of the
   * names), served at once.
   */
  static async start(prefix: string, messages: number): Promise<ServedMaildir> {
    const work = await mkdtemp(join(tmpdir(), prefix));
    const maildir = join(work, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
    for (let i = 0; i < messages; i++) {
      const name = `${1_700_000_000 + i}.M${i}P1.host:2,`;
      await writeFile(join(maildir, 'cur', name), `Subject: m${i}\n\nbody ${i}\n`);
    }
    const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD });
    return new ServedMaildir(work, maildir, setup, await runMailport(setup));
  }

  /** Stops the server (SIGKILL for a crash); `startAgain` brings it back. */
  async stop(signal?: NodeJS.Signals): Promise<void> {
    await this.server.stop(signal);
  }

  async startAgain(): Promise<void> {
    this.server = await runMailport(this.setup);
  }

  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    await this.stop(signal);
    await this.startAgain();
  }

  /** A connected client, not logged in (the greeting read). */
  async connect(): Promise<LineClient> {
    const c = await LineClient.connect(this.server.ports.imap);
    this.clients.push(c);
    await c.line();
    return c;
  }

  /** A client logged in as the test account. */
  async login(): Promise<LineClient> {
    const c = await this.connect();
    expect((await c.imap('l', `LOGIN ${USER} "${PASSWORD}"`)).tagged).toMatch(/^l OK/);
    return c;
  }

  async dispose(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    await this.server.stop();
    await rm(this.work, { recursive: true, force: true });
    await rm(this.setup.dataDir, { recursive: true, force: true });
  }
}
