/**
 * The end-to-end harness: a real `mailport serve` child (its own data dir, a sandboxed HOME
 * with an empty NSS trust store, listeners and the admin server on free loopback ports) and
 * Debian's Chromium driven by playwright-core, signed in through the admin-url link.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { dataPaths } from '../../src-main/core/config/paths.js';
import type { Settings } from '../../src-main/core/config/schema.js';
import { MaildirStore } from '../../src-main/core/store/maildir/maildir-store.js';
import { freePort } from '../helpers/ports.js';
import { runMailport, setUpMailport, type RunningMailport } from '../helpers/serve.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-output/screenshots');
export const USER = { user: 'tester', password: 'correct horse battery' };

export interface E2eMailport extends RunningMailport {
  readonly home: string;
  readonly nssdb: string;
  readonly adminPort: number;
  readonly token: string;
  readonly origin: string;
}

/**
 * `mailport serve` with one account (a Maildir with three messages) and a sandboxed HOME
 * (trust store `$HOME/.pki/nssdb`); `env` adds to its environment.
 */
export async function startMailport(
  change: (s: Settings) => void = () => undefined,
  env: NodeJS.ProcessEnv = {},
): Promise<E2eMailport> {
  const maildir = await mkdtemp(join(tmpdir(), 'mailport-e2e-mail-'));
  const store = new MaildirStore(maildir);
  await store.ensure();
  for (const subject of ['Welcome', 'Your order has shipped', 'Minutes of Monday'])
    await store.deliver('INBOX', Buffer.from(`Subject: ${subject}\r\n\r\nHello.\r\n`));
  const home = await mkdtemp(join(tmpdir(), 'mailport-e2e-home-'));
  const nssdb = join(home, '.pki', 'nssdb');
  await mkdir(nssdb, { recursive: true });
  execFileSync('certutil', ['-N', '--empty-password', '-d', `sql:${nssdb}`], { stdio: 'ignore' });
  const adminPort = await freePort();
  const setup = await setUpMailport(maildir, USER, (s) => {
    s.admin.port = adminPort;
    change(s);
  });
  const running = await runMailport(setup, {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
  });
  const token = (await readFile(dataPaths(setup.dataDir).adminToken, 'utf8')).trim();
  return {
    ...running,
    home,
    nssdb,
    adminPort,
    token,
    origin: `http://127.0.0.1:${adminPort}`,
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WindowOptions {
  readonly colorScheme?: 'light' | 'dark';
  readonly width?: number;
  readonly height?: number;
  /** axe-core is injected as an inline script, which the page's CSP rightly refuses. */
  readonly forAxe?: boolean;
}

/** A signed-in page on the Dashboard: the browser followed the `mailport admin-url` link. */
export async function openWindow(
  browser: Browser,
  mailport: E2eMailport,
  options: WindowOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 800, height: options.height ?? 600 },
    colorScheme: options.colorScheme ?? 'light',
    bypassCSP: options.forAxe ?? false,
  });
  const page = await context.newPage();
  await page.goto(`${mailport.origin}/login?token=${mailport.token}`);
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  await page.locator('[data-listener]').first().waitFor();
  return { context, page };
}

export const SCREENS = [
  ['dashboard', 'Dashboard'],
  ['protocols', 'Protocols and ports'],
  ['outgoing', 'Outgoing mail'],
  ['security', 'Security'],
  ['certificate', 'Certificate'],
  ['accounts', 'Accounts'],
  ['mail', 'Mail'],
  ['logs', 'Logs'],
] as const;

/** Opens a screen the way a user does: its link in the list of screens. */
export async function goTo(page: Page, title: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('link', { name: title, exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

const require = createRequire(import.meta.url);
const AXE_SOURCE: string = (require('axe-core') as { source: string }).source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's violations on the page as it is now (WCAG 2.x A and AA, and best practices). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"')))
    await page.addScriptTag({ content: AXE_SOURCE });
  const result = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
       id: v.id, impact: v.impact, help: v.help,
       nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
     })))`,
  )) as AxeViolation[];
  return result;
}

/** A readable list of violations for an assertion message. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`,
    )
    .join('\n');
}
