/**
 * The Certificate screen against a sandboxed HOME: "Trust on this computer" puts Mailport's CA
 * into `$HOME/.pki/nssdb` (checked with certutil), phone setup served on loopback explains why
 * phones cannot connect instead of showing a QR code for 127.0.0.1, and renewing warns first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dataPaths } from '../../src-main/core/config/paths.js';
import { LineClient } from '../helpers/line-client.js';
import { makeOwnCertificate } from '../helpers/own-certificate.js';
import {
  SCREENSHOTS,
  axeViolations,
  describeViolations,
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
  ({ page } = await openWindow(browser, mailport, { width: 1024, height: 768, forAxe: true }));
});
afterAll(async () => {
  await browser?.close();
  await mailport?.stop();
});

/** SHA-256 fingerprints of the certificates in an NSS database. */
function nssFingerprints(nssdb: string): string[] {
  const list = execFileSync('certutil', ['-L', '-d', `sql:${nssdb}`], { encoding: 'utf8' });
  const nicknames = list
    .split('\n')
    .slice(4)
    .map((line) => line.replace(/\s+\S*,\S*,\S*\s*$/, '').trim())
    .filter(Boolean);
  return nicknames.map((nickname) => {
    const pem = execFileSync('certutil', ['-L', '-d', `sql:${nssdb}`, '-n', nickname, '-a'], {
      encoding: 'utf8',
    });
    return new X509Certificate(pem).fingerprint256;
  });
}

async function expectNoAxeViolations(): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, describeViolations(violations)).toEqual([]);
}

async function servedFingerprint(): Promise<string> {
  const client = await LineClient.connectTls(mailport.ports.imaps, {
    rejectUnauthorized: false,
    servername: 'localhost',
  });
  const fingerprint = client.peerCertificate!.fingerprint256;
  await client.line(); // the greeting: the server saw the whole handshake
  client.close();
  return fingerprint;
}

describe('Certificate', () => {
  it('trusts the local CA in the sandboxed NSS store with one click', async () => {
    const caPem = await readFile(join(dataPaths(mailport.dataDir).certsDir, 'ca.pem'), 'utf8');
    const ca = new X509Certificate(caPem).fingerprint256;
    expect(nssFingerprints(mailport.nssdb)).toEqual([]);
    await goTo(page, 'Certificate');
    await page.getByRole('button', { name: 'Trust on this computer' }).click();
    const results = page.getByRole('list', { name: 'Result for each trust store' });
    const nss = results.getByRole('listitem').filter({ hasText: mailport.nssdb });
    // The result, or an error beside the button (which fails the test with its words).
    await Promise.race([nss.waitFor(), page.locator('#trust-msg p').waitFor()]);
    expect(await page.locator('#trust-msg').textContent()).toBe('');
    expect(await nss.textContent()).toContain('Done');
    expect(nssFingerprints(mailport.nssdb)).toEqual([ca]);
    await expectNoAxeViolations();
    await page.screenshot({
      path: join(SCREENSHOTS, 'certificate-trusted-light-1024x768.png'),
      fullPage: true,
    });
  });

  it('shows no QR code for 127.0.0.1: says phones cannot connect on loopback, and the fix', async () => {
    // The harness serves on loopback only (bind.address loopback), as every test must.
    await goTo(page, 'Certificate');
    const section = page.getByRole('region', { name: 'Set up a phone' });
    await section.getByText('Phones cannot connect').waitFor();
    const text = (await section.textContent())!;
    expect(text).toContain('bind.address is loopback');
    expect(text).toContain('mailport config set bind.address all');
    expect(await page.getByRole('img', { name: 'QR code of the phone setup link' }).count()).toBe(
      0,
    );
    expect(await section.getByRole('button', { name: 'Set up a phone' }).count()).toBe(0);
    expect(await section.getByRole('link', { name: 'Security' }).getAttribute('href')).toBe(
      '#/security',
    );
    await expectNoAxeViolations();
    await page.screenshot({
      path: join(SCREENSHOTS, 'certificate-phone-setup-loopback-light-1024x768.png'),
      fullPage: true,
    });
  });

  it('imports your own PEM certificate, and explains a key that does not fit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailport-e2e-own-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
    makeOwnCertificate(dir);
    openssl('genrsa', '-out', join(dir, 'other.pem'), '2048');
    await goTo(page, 'Certificate');
    await page.getByLabel('Certificate chain (PEM)').setInputFiles(join(dir, 'cert.pem'));
    await page.getByLabel('Private key (PEM)').setInputFiles(join(dir, 'other.pem'));
    await page.getByRole('button', { name: 'Import' }).click();
    await page
      .locator('#import-msg')
      .getByText('The private key does not belong to the certificate.')
      .waitFor();
    await page.getByLabel('Private key (PEM)').setInputFiles(join(dir, 'key.pem'));
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText('Imported.').waitFor();
    const own = new X509Certificate(await readFile(join(dir, 'cert.pem'))).fingerprint256;
    expect(await servedFingerprint()).toBe(own);
    expect(await page.textContent('main')).toContain('mail.example.test');
  });

  it('renews (warning first when the key changes); phones are served the new certificate', async () => {
    await goTo(page, 'Certificate');
    const before = await servedFingerprint();
    const details = await page.request.post(`${mailport.origin}/api/getCertificate`, { data: {} });
    const { renewReplacesKey } = (await details.json()) as { renewReplacesKey: boolean };
    const dialog = page.getByRole('dialog', { name: 'Renew with a new key?' });
    await page.getByRole('button', { name: 'Renew certificate' }).click();
    if (renewReplacesKey) {
      await dialog.waitFor();
      await expectNoAxeViolations();
      await page.screenshot({ path: join(SCREENSHOTS, 'certificate-renew-light-1024x768.png') });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect(await servedFingerprint()).toBe(before);
      await page.getByRole('button', { name: 'Renew certificate' }).click();
      await dialog.getByRole('button', { name: 'Renew' }).click();
    }
    await page.getByText('Renewed.').waitFor();
    expect(await dialog.isVisible()).toBe(false);
    const after = await servedFingerprint();
    expect(after).not.toBe(before);
    expect(await page.textContent('main')).toContain(after);
  });
});
