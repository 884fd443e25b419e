/**
 * Services from the window, checked on the wire: POP3 switched off closes its ports, IMAPS moved
 * to another port answers there to imapflow, a connection shows up live on the Dashboard, and
 * mistakes are explained beside the field that caused them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import type { Browser, Page } from 'playwright-core';
import { dataPaths } from '../../src-main/core/config/paths.js';
import { LineClient } from '../helpers/line-client.js';
import { run } from '../helpers/run.js';
import { CLI, runMailport } from '../helpers/serve.js';
import { freePort } from '../helpers/ports.js';
import {
  SCREENSHOTS,
  USER,
  goTo,
  launchChromium,
  openWindow,
  startMailport,
  type E2eMailport,
} from './harness.js';

let mailport: E2eMailport;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [mailport, browser] = await Promise.all([startMailport(), launchChromium()]);
  ({ page } = await openWindow(browser, mailport, { width: 800, height: 600 }));
});
afterAll(async () => {
  await browser?.close();
  await mailport?.stop();
});

/** Whether nothing listens on `port` (an implicit-TLS port is asked in TLS, as phones do). */
async function refused(port: number, tls = false): Promise<boolean> {
  try {
    const client = tls
      ? await LineClient.connectTls(port, { rejectUnauthorized: false })
      : await LineClient.connect(port);
    await client.line(); // the greeting: the server saw the whole handshake
    client.close();
    return false;
  } catch (err) {
    return /ECONNREFUSED/.test(String(err));
  }
}

function imapsClient(port: number, ca: Buffer, auth = { user: USER.user, pass: USER.password }) {
  return new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: true,
    tls: { ca, servername: 'localhost' },
    auth,
    logger: false,
  });
}

const caFile = async (): Promise<Buffer> =>
  readFile(join(dataPaths(mailport.dataDir).certsDir, 'ca.pem'));

describe('Dashboard', () => {
  it('on loopback offers phones no address, says why and how to let them in', async () => {
    await goTo(page, 'Dashboard');
    const section = page.getByRole('region', { name: 'Addresses for your phone' });
    await section.getByText('Phones cannot connect').waitFor();
    const text = (await section.textContent())!;
    expect(text).toContain('mailport config set bind.address all');
    expect(text).not.toContain('use one of these as the mail server');
    expect(text).not.toMatch(/\.local\b/);
    expect(await section.locator('code').allTextContents()).toEqual([]);
  });

  it('switches POP3 off: both POP3 ports close, and on again: they answer', async () => {
    await goTo(page, 'Dashboard');
    const { pop3, pop3s } = mailport.ports;
    expect([await refused(pop3), await refused(pop3s, true)]).toEqual([false, false]);
    for (const name of ['POP3 over TLS', 'POP3 with STLS']) {
      const toggle = page.getByRole('switch', { name });
      await toggle.uncheck();
      await expect.poll(() => toggle.isChecked()).toBe(false);
    }
    await page.locator('[data-listener="pop3"]').getByText(/^Off/).waitFor();
    await page.locator('[data-listener="pop3s"]').getByText(/^Off/).waitFor();
    expect([await refused(pop3), await refused(pop3s, true)]).toEqual([true, true]);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-pop3-off-light-800x600.png') });
    for (const name of ['pop3', 'pop3s']) {
      await page.locator(`[data-listener="${name}"]`).getByRole('switch').check();
      await page.locator(`[data-listener="${name}"]`).getByText('Listening').waitFor();
    }
    expect([await refused(pop3), await refused(pop3s, true)]).toEqual([false, false]);
  });

  it('shows a signed-in connection as it happens, with its account', async () => {
    await goTo(page, 'Dashboard');
    const client = imapsClient(mailport.ports.imaps, await caFile());
    await client.connect();
    try {
      const row = page.getByRole('row').filter({ hasText: USER.user });
      await row.waitFor();
      expect(await row.textContent()).toContain('IMAP over TLS');
      await page.getByText(`signed in as ${USER.user}`).first().waitFor();
    } finally {
      await client.logout();
    }
    await page.getByText('No phone or computer is connected right now.').waitFor();
  });
});

describe('Protocols and ports', () => {
  it('moves IMAPS to another port without a restart; imapflow signs in there', async () => {
    await goTo(page, 'Protocols and ports');
    const moved = await freePort();
    const old = mailport.ports.imaps;
    await page.getByRole('textbox', { name: 'IMAP over TLS port' }).fill(String(moved));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Applied.').waitFor();
    expect(await refused(old, true)).toBe(true);
    const client = imapsClient(moved, await caFile());
    await client.connect();
    const boxes = await client.list();
    expect(boxes.map((b) => b.path)).toContain('INBOX');
    await client.logout();
    await goTo(page, 'Dashboard');
    expect(await page.locator('[data-listener="imaps"]').textContent()).toContain(`port ${moved}`);
  });

  it('drops "Applied." once the settings are changed from the command line', async () => {
    await goTo(page, 'Protocols and ports');
    await page
      .getByRole('textbox', { name: 'IMAP with STARTTLS port' })
      .fill(String(await freePort()));
    await page.getByRole('button', { name: 'Apply' }).click();
    const applied = page.getByText('Applied.');
    await applied.waitFor();
    const cli = await run(
      process.execPath,
      [CLI, 'config', 'set', 'phoneSetup.port', String(await freePort())],
      {
        env: { ...process.env, MAILPORT_DATA_DIR: mailport.dataDir, HOME: mailport.home },
      },
    );
    expect(cli.code, cli.stderr).toBe(0);
    await applied.waitFor({ state: 'detached' });
    mailport.ports.imap = Number(
      await page.getByRole('textbox', { name: 'IMAP with STARTTLS port' }).inputValue(),
    );
  });

  it('explains a wrong, duplicate or privileged port beside its field', async () => {
    await goTo(page, 'Protocols and ports');
    const field = page.getByRole('textbox', { name: 'IMAP with STARTTLS port' });
    const apply = page.getByRole('button', { name: 'Apply' });
    const message = page.locator('#imap-msg');
    await field.fill('70000');
    expect(await message.textContent()).toContain('Enter a port number from 1 to 65535.');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await apply.click();
    expect(await page.locator('#apply-msg').textContent()).toContain('Some ports need a change');
    await field.fill(String(mailport.ports.pop3));
    expect(await message.textContent()).toContain('is also set for POP3 with STLS');
    await apply.click();
    expect(await page.locator('#apply-msg').textContent()).toContain('Some ports need a change');
    const still = await LineClient.connect(mailport.ports.imap);
    expect(await still.line()).toMatch(/^\* OK/); // nothing was sent: IMAP stays where it was
    still.close();
    await field.fill('143');
    expect(await message.textContent()).toContain('need administrator rights');
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: /Restore standard ports/ }).click();
    for (const [name, port] of [
      ['IMAP over TLS port', '993'],
      ['IMAP with STARTTLS port', '143'],
      ['POP3 over TLS port', '995'],
      ['POP3 with STLS port', '110'],
    ])
      expect(await page.getByRole('textbox', { name }).inputValue()).toBe(port);
    await page.screenshot({ path: join(SCREENSHOTS, 'protocols-checks-light-800x600.png') });
    await page.getByRole('button', { name: 'Undo changes' }).click();
    expect(await field.inputValue()).toBe(String(mailport.ports.imap));
  });

  it('shows a port another program holds beside that field, and keeps the old one', async () => {
    await goTo(page, 'Protocols and ports');
    const busy = await freePort();
    const blocker: Server = createServer().listen(busy, '127.0.0.1');
    try {
      await page.getByRole('textbox', { name: 'IMAP with STARTTLS port' }).fill(String(busy));
      await page.getByRole('button', { name: 'Apply' }).click();
      const message = page.locator('#imap-msg');
      await message.getByText(/Another program is already using port/).waitFor();
      expect(await page.locator('#apply-msg').textContent()).toBe('');
      const still = await LineClient.connect(mailport.ports.imap);
      expect(await still.line()).toMatch(/^\* OK/);
      still.close();
    } finally {
      blocker.close();
    }
  });
});

describe('Security', () => {
  it('requires TLS to sign in once chosen: the STARTTLS port refuses LOGIN before TLS', async () => {
    await goTo(page, 'Security');
    await page.getByRole('radio', { name: /Allow plain-text sign-in/ }).check();
    await page.getByText('Passwords can now cross your network unencrypted').waitFor();
    await page.getByRole('radio', { name: /Require TLS to sign in/ }).check();
    await page.getByText('Passwords are now only accepted over TLS.').waitFor();
    const client = await LineClient.connect(mailport.ports.imap);
    expect(await client.line()).toContain('LOGINDISABLED');
    client.close();
    await page.getByRole('textbox', { name: 'Connections in all' }).fill('0');
    expect(await page.locator('[id="m-limits.maxConnections"]').textContent()).toContain(
      'Enter a whole number from 1 to 100,000.',
    );
    await page.getByRole('button', { name: 'Save limits' }).click();
    expect(await page.locator('#limits-msg').textContent()).toContain('Some values need a change');
    const settings = await page.request.post(`${mailport.origin}/api/getSettings`, { data: {} });
    expect((await settings.json()).limits.maxConnections).toBe(200);
  });
});

describe('a listener that cannot start', () => {
  it('is shown in red on the Dashboard with the error and its fix', async () => {
    const busy = await freePort();
    const blocker: Server = createServer().listen(busy, '127.0.0.1');
    const blocked = await startMailport((s) => {
      s.listeners.pop3.port = busy;
    });
    try {
      const window = await openWindow(browser, blocked, { width: 800, height: 600 });
      const card = window.page.locator('[data-listener="pop3"]');
      await card.getByText('Not running:').waitFor();
      expect(await card.getAttribute('class')).toMatch(/\bfailed\b/);
      const text = (await card.textContent())!;
      expect(text).toContain(`port ${busy}`);
      expect(text).toContain('To fix it:');
      const red = await card.evaluate(
        (e) =>
          (
            globalThis as unknown as { getComputedStyle(e: unknown): { borderTopColor: string } }
          ).getComputedStyle(e).borderTopColor,
      );
      expect(red).toBe('rgb(179, 38, 30)'); // --danger in the light theme
      await window.page.screenshot({
        path: join(SCREENSHOTS, 'dashboard-failed-listener-light-800x600.png'),
      });
      await window.context.close();
    } finally {
      await blocked.stop();
      blocker.close();
    }
  });
});

describe('Logs', () => {
  it('follows the log and filters it by text and level', async () => {
    await goTo(page, 'Logs');
    const log = page.getByRole('log', { name: 'Log lines' });
    await log.getByText('listener').first().waitFor();
    await page.getByRole('searchbox', { name: 'Containing' }).fill('pop3s');
    const lines = await log.locator('.line').allTextContents();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain('pop3s');
    await page.getByRole('searchbox', { name: 'Containing' }).fill('');
    await page.getByRole('combobox', { name: 'Show' }).selectOption('error');
    for (const line of await log.locator('.line').allTextContents()) expect(line).toMatch(/error/);
    // Live: a failed sign-in appears without reloading.
    await page.getByRole('combobox', { name: 'Show' }).selectOption('debug');
    const before = await log.locator('.line').count();
    const client = await LineClient.connectTls(mailport.ports.pop3s, { rejectUnauthorized: false });
    await client.line();
    await client.command('USER nobody');
    await client.command('PASS wrong');
    client.close();
    await expect
      .poll(() => log.locator('.line').count(), { timeout: 15_000 })
      .toBeGreaterThan(before);
    expect(await log.locator('.line').last().textContent()).toContain('login failed');
  });
});

describe('when Mailport stops', () => {
  it('says so, and carries on by itself once Mailport runs again', async () => {
    await goTo(page, 'Dashboard');
    const started = Date.now();
    expect(await mailport.stop()).toBe(0); // promptly, although this window is connected
    expect(Date.now() - started).toBeLessThan(10_000);
    const banner = page.getByRole('status').filter({ hasText: 'Reconnecting to Mailport' });
    await banner.waitFor();
    // No stale green cards: the Dashboard says Mailport is not running.
    await page.getByRole('alert').filter({ hasText: 'Mailport is not running' }).waitFor();
    for (const card of await page.locator('[data-listener]').all())
      expect(await card.textContent()).not.toContain('Listening');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-not-running-light-800x600.png') });
    const imapSwitch = page.getByRole('switch', { name: 'IMAP with STARTTLS' });
    await imapSwitch.click(); // refused: the switch flips back and says why beside it
    await page
      .locator('[data-listener="imap"]')
      .getByText('Mailport is not answering. Is `mailport serve` still running?')
      .waitFor();
    expect(await imapSwitch.isChecked()).toBe(true);
    const again = await runMailport(
      { dataDir: mailport.dataDir, ports: mailport.ports },
      { HOME: mailport.home },
    );
    mailport = { ...mailport, ...again };
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await imapSwitch.uncheck();
    await page.locator('[data-listener="imap"]').getByText(/^Off/).waitFor();
    expect(await refused(mailport.ports.imap)).toBe(true);
  });
});
