/**
 * An in-process MailportService on a temp data dir with listeners on free loopback ports,
 * for transcript tests that need no child process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailportService } from '../../src-main/core/service.js';
import type { Settings } from '../../src-main/core/config/schema.js';
import { MaildirStore } from '../../src-main/core/store/maildir/maildir-store.js';
import { setUpMailport, type MailportSetup } from './serve.js';

export interface TestService extends MailportSetup {
  readonly service: MailportService;
  readonly maildir: string;
  readonly store: MaildirStore;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

/** `fill` may put mail into the Maildir before the service first looks at it. */
export async function startService(
  change: (s: Settings) => void = () => undefined,
  fill: (maildir: string) => Promise<void> = async () => undefined,
): Promise<TestService> {
  const work = await mkdtemp(join(tmpdir(), 'mailport-svc-'));
  const maildir = join(work, 'Maildir');
  await fill(maildir);
  const store = new MaildirStore(maildir);
  await store.ensure();
  const user = 'tester';
  const password = 'pw with spaces';
  const setup = await setUpMailport(maildir, { user, password }, change);
  const service = await MailportService.open({ dataDir: setup.dataDir, failedLoginDelayMs: 50 });
  await service.start();
  return {
    ...setup,
    service,
    maildir,
    store,
    user,
    password,
    async stop() {
      await service.stop();
      await rm(work, { recursive: true, force: true });
      await rm(setup.dataDir, { recursive: true, force: true });
    },
  };
}
