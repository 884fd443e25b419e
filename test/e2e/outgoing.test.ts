/**
 * Sending from the phone, set up in the window (issue 18) and checked on the wire and on disk:
 * sending cannot be turned on before the provider's server is set and the window says why;
 * the relay saved in the window lands in settings.json and its password only in the secret
 * file; sending turned on then answers SMTP (STARTTLS offered before AUTH); the sender addresses
 * set on the Accounts screen decide what a real SMTP session may send as; a message the
 * provider cannot take shows on the Dashboard until the port is fixed in the window, and then
 * reaches the provider (a local smtp-server sink) signed in with the password typed once.
 * axe-core checks the new states in light and dark at both sizes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dataPaths } from '../../src-main/core/config/paths.js';
import type { Settings } from '../../src-main/core/config/schema.js';
import { RELAY_PASSWORD_KEY } from '../../src-main/core/secrets/secret-store.js';
import { LineClient } from '../helpers/line-client.js';
import { freePort } from '../helpers/ports.js';
import {
  makeSinkCertificate,
  SINK_PASSWORD,
  SINK_USER,
  startSink,
  type SmtpSink,
} from '../helpers/smtp-sink.js';
import {
  SCREENSHOTS,
  USER,
  axeViolations,
  describeViolations,
  goTo,
  launchChromium,
  openWindow,
  startMailport,
  type E2eMailport,
} from './harness.js';

const SENDER = 'tester@example.org';
const WAIT_STEP_MS = 100;
const WAIT_STEPS = 200;

let mailport: E2eMailport;
let browser: Browser;
let page: Page;
let sink: SmtpSink;
let work: string;
const ports = { submission: 0, submissions: 0, closed: 0 };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-e2e-outgoing-'));
  const files = makeSinkCertificate(work);
  sink = await startSink(await freePort(), files);
  for (const name of ['submission', 'submissions', 'closed'] as const)
    ports[name] = await freePort();
  [mailport, browser] = await Promise.all([
    startMailport(
      (s) => {
        s.listeners.submission.port = ports.submission;
        s.listeners.submissions.port = ports.submissions;
      },
      // The sink's own certificate; no retry by the clock during the test (only when the
      // relay is set, as after the user's fix).
      { MAILPORT_TEST_RELAY_CA: files.cert, MAILPORT_RELAY_RETRY_MS: '600000' },
    ),
    launchChromium(),
  ]);
  ({ page } = await openWindow(browser, mailport, { width: 800, height: 600 }));
});
afterAll(async () => {
  await browser?.close();
  await mailport?.stop();
  await sink?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const settingsText = (): Promise<string> => readFile(dataPaths(mailport.dataDir).settings, 'utf8');
const settings = async (): Promise<Settings> => JSON.parse(await settingsText()) as Settings;

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let step = 0; step < WAIT_STEPS; step++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A phone's session on the implicit-TLS submission port, signed in as the account. */
async function signedIn(): Promise<LineClient> {
  const ca = await readFile(join(dataPaths(mailport.dataDir).certsDir, 'ca.pem'), 'utf8');
  const client = await LineClient.connectTls(ports.submissions, { ca, servername: 'localhost' });
  expect(await client.line()).toMatch(/^220 /);
  client.send('EHLO phone\r\n');
  await client.until(/^250 /);
  const plain = Buffer.from(`\0${USER.user}\0${USER.password}`).toString('base64');
  expect(await client.command(`AUTH PLAIN ${plain}`)).toMatch(/^235 /);
  return client;
}

/** The reply to MAIL FROM in a fresh session. */
async function mailFrom(address: string): Promise<string> {
  const client = await signedIn();
  try {
    return await client.command(`MAIL FROM:<${address}>`);
  } finally {
    client.close();
  }
}

async function expectNoAxeViolation(what: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const)
    for (const [width, height] of [
      [800, 600],
      [1280, 800],
    ] as const) {
      const { context, page: p } = await openWindow(browser, mailport, {
        colorScheme,
        width,
        height,
        forAxe: true,
      });
      try {
        await goTo(p, what);
        await p.waitForLoadState('networkidle').catch(() => undefined);
        const violations = await axeViolations(p);
        expect(
          violations,
          `${what}, ${colorScheme}, ${width}×${height}:\n${describeViolations(violations)}`,
        ).toEqual([]);
        await p.screenshot({
          path: join(
            SCREENSHOTS,
            `${what.replace(/ /g, '-').toLowerCase()}-set-${colorScheme}-${width}x${height}.png`,
          ),
          fullPage: true,
        });
      } finally {
        await context.close();
      }
    }
}

describe('sending from the phone, set up in the window', () => {
  it('without a relay, sending cannot be turned on, and the window says where to set it', async () => {
    await goTo(page, 'Protocols and ports');
    const row = page.locator('[data-listener="submission"]');
    await row.getByRole('switch').check();
    const message = page.locator('#submission-msg');
    await message.getByText(/outgoing server first/).waitFor();
    expect(await message.textContent()).toContain('Outgoing mail screen');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#apply-msg').getByText('Sending cannot be turned on yet').waitFor();
    expect((await settings()).listeners.submission.enabled).toBe(false);
    await expect(LineClient.connect(ports.submission)).rejects.toThrow(/ECONNREFUSED/);
    await page.getByRole('button', { name: 'Undo changes' }).click();
    // The Dashboard's switch explains the same, with the way there.
    await goTo(page, 'Dashboard');
    const card = page.locator('[data-listener="submission"]');
    await card.getByRole('switch').click();
    await card.getByText(/outgoing server first/).waitFor();
    expect(await card.getByRole('switch').isChecked()).toBe(false);
    await card.getByRole('link', { name: 'Set the outgoing server on Outgoing mail' }).click();
    await page.getByRole('heading', { level: 1, name: 'Outgoing mail' }).waitFor();
    expect((await settings()).listeners.submission.enabled).toBe(false);
  });

  it('saves the relay: settings.json has it, only the secret file has the password', async () => {
    await goTo(page, 'Outgoing mail');
    await page.getByRole('textbox', { name: 'Server (host name)' }).fill('not a host!');
    await page.getByRole('combobox', { name: 'Security' }).selectOption('starttls');
    expect(await page.getByRole('textbox', { name: 'Port', exact: true }).inputValue()).toBe('587');
    await page.getByRole('combobox', { name: 'Security' }).selectOption('tls');
    await page.getByRole('textbox', { name: 'User name at your provider' }).fill(SINK_USER);
    await page.getByLabel('Password at your provider').fill(SINK_PASSWORD);
    await page.getByRole('button', { name: 'Save' }).click();
    // Mailport's own check, beside the field it names.
    await page
      .locator('#relay-host-msg')
      .getByText(/is not a host name or IP address/)
      .waitFor();
    expect((await settings()).relay.host).toBe('');
    // The port of a provider that does not answer yet: the Dashboard test fixes it.
    await page.getByRole('textbox', { name: 'Server (host name)' }).fill('127.0.0.1');
    await page.getByRole('textbox', { name: 'Port', exact: true }).fill(String(ports.closed));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved\./).waitFor();
    await page.getByText('A password is saved.').waitFor();
    expect(await page.locator('input[type="password"]').count()).toBe(0);

    const saved = await settings();
    expect(saved.relay).toEqual({
      host: '127.0.0.1',
      port: ports.closed,
      security: 'tls',
      username: SINK_USER,
      saveToSent: true,
    });
    expect(await settingsText()).not.toContain(SINK_PASSWORD);
    const secrets = JSON.parse(
      await readFile(dataPaths(mailport.dataDir).secrets, 'utf8'),
    ) as Record<string, string>;
    expect(secrets[RELAY_PASSWORD_KEY]).toBe(SINK_PASSWORD);
    // Opened again, the window knows only that a password is saved.
    await page.reload();
    await page.getByText('A password is saved.').waitFor();
    expect(await page.content()).not.toContain(SINK_PASSWORD);
  });

  it('turns sending on: the STARTTLS port offers STARTTLS and no AUTH before it', async () => {
    await goTo(page, 'Protocols and ports');
    for (const name of ['submission', 'submissions'])
      await page.locator(`[data-listener="${name}"]`).getByRole('switch').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText(/^Applied\./).waitFor();
    const saved = await settings();
    expect([saved.listeners.submission.enabled, saved.listeners.submissions.enabled]).toEqual([
      true,
      true,
    ]);
    const client = await LineClient.connect(ports.submission);
    expect(await client.line()).toMatch(/^220 /);
    client.send('EHLO phone\r\n');
    const ehlo = await client.until(/^250 /);
    expect(ehlo.some((l) => /^250[- ]STARTTLS$/.test(l))).toBe(true);
    expect(ehlo.some((l) => /AUTH/.test(l))).toBe(false);
    client.close();
  });

  it('senders added on the Accounts screen are what a real SMTP session may send as', async () => {
    // "tester" is not an address: nothing is allowed until one is added.
    expect(await mailFrom(SENDER)).toMatch(/^550 5\.7\.1 /);
    await goTo(page, 'Accounts');
    const card = page.locator(`[data-account="${USER.user}"]`);
    await card.getByText('cannot send until you add').waitFor();
    const field = card.getByRole('textbox', { name: 'Allow sending as' });
    await field.fill('not an address');
    await card.getByRole('button', { name: 'Add', exact: true }).click();
    await card.getByText(/is not an address like name@example\.org/).waitFor();
    await field.fill(SENDER);
    await card.getByRole('button', { name: 'Add', exact: true }).click();
    await card.getByText(/^Added\./).waitFor();
    await card
      .getByRole('list', { name: `Addresses ${USER.user} may send from` })
      .getByText(SENDER)
      .waitFor();
    expect((await settings()).accounts[0]!.senders).toEqual([SENDER]);
    expect(await mailFrom(SENDER)).toMatch(/^250 /);
    expect(await mailFrom('someone.else@example.org')).toMatch(/^550 5\.7\.1 /);
    await expectNoAxeViolation('Accounts');

    await card.getByRole('button', { name: `Remove ${SENDER} from ${USER.user}` }).click();
    await card.getByText('cannot send until you add').waitFor();
    expect((await settings()).accounts[0]!.senders).toEqual([]);
    expect(await mailFrom(SENDER)).toMatch(/^550 5\.7\.1 /);
    await field.fill(SENDER);
    await card.getByRole('button', { name: 'Add', exact: true }).click();
    await card.getByText(/^Added\./).waitFor();
  });

  it('a message the provider cannot take shows on the Dashboard until the port is fixed', async () => {
    await goTo(page, 'Dashboard');
    const client = await signedIn();
    expect(await client.command(`MAIL FROM:<${SENDER}>`)).toMatch(/^250 /);
    expect(await client.command('RCPT TO:<friend@example.net>')).toMatch(/^250 /);
    expect(await client.command('DATA')).toMatch(/^354 /);
    expect(await client.command('Subject: sent from the phone\r\n\r\nHello.\r\n.')).toMatch(
      /^250 /,
    );
    expect(await client.command('QUIT')).toMatch(/^221 /);
    client.close();

    const section = page.getByRole('region', { name: 'Outgoing mail waiting (1)' });
    await section.getByText(/^Last attempt:/).waitFor();
    expect(await section.textContent()).toContain('Waiting since');
    await expectNoAxeViolation('Dashboard');
    expect(sink.received).toEqual([]);

    await goTo(page, 'Outgoing mail');
    await page.getByRole('textbox', { name: 'Port', exact: true }).fill(String(sink.port));
    await page.getByRole('button', { name: 'Save' }).click();
    await until('the new port in settings.json', async () =>
      (await settings()).relay.port === sink.port ? true : undefined,
    );
    await page.getByText(/^Saved\./).waitFor();
    await expectNoAxeViolation('Outgoing mail');
    // The password typed once signed in at the provider (the sink refuses any other).
    const relayed = await until('the relay', async () =>
      sink.received.find((m) => m.bytes.includes('sent from the phone')),
    );
    expect(relayed).toMatchObject({ from: SENDER, to: ['friend@example.net'] });
    await goTo(page, 'Dashboard');
    await page
      .getByRole('region', { name: /^Outgoing mail waiting/ })
      .waitFor({ state: 'detached' });
  });

  it('Remove forgets the relay and its password and turns sending off', async () => {
    await goTo(page, 'Outgoing mail');
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText(/^Removed\./).waitFor();
    const saved = await settings();
    expect(saved.relay.host).toBe('');
    expect([saved.listeners.submission.enabled, saved.listeners.submissions.enabled]).toEqual([
      false,
      false,
    ]);
    const secrets = JSON.parse(
      await readFile(dataPaths(mailport.dataDir).secrets, 'utf8'),
    ) as Record<string, string>;
    expect(secrets[RELAY_PASSWORD_KEY]).toBeUndefined();
    await expect(LineClient.connect(ports.submission)).rejects.toThrow(/ECONNREFUSED/);
    expect(await page.getByLabel('Password at your provider').count()).toBe(1);
  });
});
