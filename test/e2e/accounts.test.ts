/**
 * Accounts from the window: one added here signs in with imapflow using the password the window
 * showed once; a new password replaces the old; removing asks first, then the account is gone.
 * Mistakes (a bad name, a name taken) are explained beside the form. The Mail screen lists the
 * new account's folders with counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import type { Browser, Page } from 'playwright-core';
import { dataPaths } from '../../src-main/core/config/paths.js';
import { CLI } from '../helpers/serve.js';
import {
  SCREENSHOTS,
  goTo,
  launchChromium,
  openWindow,
  startMailport,
  type E2eMailport,
} from './harness.js';

let mailport: E2eMailport;
let browser: Browser;
let page: Page;
let firstPassword = '';
let lastPassword = '';

beforeAll(async () => {
  [mailport, browser] = await Promise.all([startMailport(), launchChromium()]);
  ({ page } = await openWindow(browser, mailport, { colorScheme: 'dark' }));
});
afterAll(async () => {
  await browser?.close();
  await mailport?.stop();
});

/** Signs in over IMAPS, checking the server's certificate against Mailport's CA. */
async function signIn(user: string, pass: string): Promise<string[]> {
  const ca = await readFile(join(dataPaths(mailport.dataDir).certsDir, 'ca.pem'));
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: mailport.ports.imaps,
    secure: true,
    tls: { ca, servername: 'localhost' },
    auth: { user, pass },
    logger: false,
  });
  await client.connect();
  const boxes = (await client.list()).map((b) => b.path);
  await client.logout();
  return boxes;
}

async function shownPassword(): Promise<string> {
  const code = page.locator('[data-password]');
  await code.waitFor();
  return (await code.textContent())!.trim();
}

/** `mailport …` in a terminal, beside the running one (same data dir). */
async function cli(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], {
    env: { ...process.env, MAILPORT_DATA_DIR: mailport.dataDir, HOME: mailport.home },
  });
  return stdout;
}

describe('Accounts', () => {
  it('adds an account that signs in with the password shown once', async () => {
    await goTo(page, 'Accounts');
    await page.getByRole('textbox', { name: /^Name/ }).fill('phone');
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('heading', { name: 'Account phone added' }).waitFor();
    const password = await shownPassword();
    expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    firstPassword = password;
    await page.screenshot({ path: join(SCREENSHOTS, 'accounts-password-dark-800x600.png') });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: mailport.origin,
    });
    await page.getByRole('button', { name: 'Copy password' }).click();
    await page.locator('#copy-msg').getByText('Copied.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(password);
    expect(await signIn('phone', password)).toContain('INBOX');
    await page.getByRole('button', { name: 'I have noted it' }).click();
    expect(await page.locator('[data-password]').count()).toBe(0);
    expect(await page.locator('[data-account="phone"]').textContent()).toContain(
      join(mailport.dataDir, 'mail', 'phone'),
    );
  });

  it('explains a bad or taken name beside the form', async () => {
    await goTo(page, 'Accounts');
    const name = page.getByRole('textbox', { name: /^Name/ });
    await name.fill('two words');
    expect(await page.locator('#acc-name-msg').textContent()).toContain('letters, digits');
    await page.getByRole('button', { name: 'Add account' }).click();
    expect(await page.locator('#add-msg').textContent()).toContain('The name needs a change');
    expect(await page.locator('[data-account="two words"]').count()).toBe(0);
    await name.fill('phone');
    await page.getByRole('button', { name: 'Add account' }).click();
    await page
      .locator('#add-msg')
      .getByText(/already/i)
      .waitFor();
  });

  it('explains why a folder of other files or outside home is refused, and asks first', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'mailport-e2e-etc-'));
    await writeFile(join(elsewhere, 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    try {
      await goTo(page, 'Accounts');
      await page.getByRole('textbox', { name: /^Name/ }).fill('etc');
      await page.getByRole('textbox', { name: /^Maildir folder/ }).fill(elsewhere);
      await page.getByRole('button', { name: 'Add account' }).click();
      await page
        .locator('#add-msg')
        .getByText(/outside your home folder/)
        .waitFor();
      await page.getByRole('checkbox', { name: /Use this folder anyway/ }).check();
      await page.getByRole('button', { name: 'Add account' }).click();
      await page
        .locator('#add-msg')
        .getByText(/holds other files and is not a Maildir/)
        .waitFor();
      expect(await readdir(elsewhere)).toEqual(['passwd']);
      expect(await page.locator('[data-account="etc"]').count()).toBe(0);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('asks before creating a folder that does not exist (a typo), and creates it once confirmed', async () => {
    const typo = join(mailport.home, 'Mial');
    await goTo(page, 'Accounts');
    await page.getByRole('textbox', { name: /^Name/ }).fill('typo');
    await page.getByRole('textbox', { name: /^Maildir folder/ }).fill(typo);
    await page.getByRole('button', { name: 'Add account' }).click();
    await page
      .locator('#add-msg')
      .getByText(/does not exist/)
      .waitFor();
    await expect(readdir(typo)).rejects.toThrow(/ENOENT/);
    expect(await page.locator('[data-account="typo"]').count()).toBe(0);
    await page.getByRole('checkbox', { name: /Create this folder/ }).check();
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('heading', { name: 'Account typo added' }).waitFor();
    expect((await readdir(typo)).sort()).toEqual(['cur', 'new', 'tmp']);
    await page.getByRole('button', { name: 'I have noted it' }).click();
  });

  it('gives a new password: the old one stops working, the new one signs in', async () => {
    await goTo(page, 'Accounts');
    await page.getByRole('button', { name: 'New password for phone' }).click();
    await page.getByRole('heading', { name: 'New password for phone' }).waitFor();
    const password = await shownPassword();
    expect(password).not.toBe(firstPassword);
    await expect(signIn('phone', firstPassword)).rejects.toThrow();
    expect(await signIn('phone', password)).toContain('INBOX');
    lastPassword = password;
  });

  it('lists the account folders with counts on the Mail screen', async () => {
    const maildir = join(mailport.dataDir, 'mail', 'phone');
    await writeFile(
      join(maildir, 'new', '1700000000.M1P1.e2e'),
      'Subject: hello\r\n\r\nA first message.\r\n',
    );
    await goTo(page, 'Mail');
    await page.getByRole('combobox', { name: 'Account' }).selectOption('phone');
    const inbox = page.getByRole('row').filter({ hasText: 'INBOX' });
    await inbox.waitFor();
    expect((await inbox.locator('td').allTextContents()).slice(0, 3)).toEqual(['INBOX', '1', '1']);
    expect(await page.textContent('main')).toContain(maildir);
  });

  it('removes an account only after asking; it cannot sign in afterwards', async () => {
    await goTo(page, 'Accounts');
    await page.getByRole('button', { name: 'Remove phone' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the account phone?' });
    await dialog.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'accounts-remove-dark-800x600.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('[data-account="phone"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Remove phone' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.locator('[data-account="phone"]').waitFor({ state: 'detached' });
    const settings = await readFile(dataPaths(mailport.dataDir).settings, 'utf8');
    expect(settings).not.toContain('"phone"');
    await expect(signIn('phone', lastPassword)).rejects.toThrow();
  });

  it('shows accounts and senders changed from the terminal without being reloaded', async () => {
    await goTo(page, 'Accounts');
    await page.locator('[data-account="tester"]').waitFor();
    await cli('account', 'add', 'laptop');
    await page.locator('[data-account="laptop"]').waitFor();
    await cli('account', 'senders', 'add', 'laptop', 'me@example.org');
    const senders = page.getByRole('list', { name: 'Addresses laptop may send from' });
    await senders.getByText('me@example.org').waitFor();
    await cli('account', 'remove', 'laptop');
    await page.locator('[data-account="laptop"]').waitFor({ state: 'detached' });
  });
});
