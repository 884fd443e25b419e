/**
 * Every screen in light and dark, at 800×600 and 1280×800: axe-core finds no violation, the
 * page does not scroll sideways, and a screenshot of each is kept in test-output/screenshots.
 * A page without the sign-in link explains how to get it; the page runs under its strict CSP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  SCREENS,
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

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  [mailport, browser] = await Promise.all([startMailport(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await mailport?.stop();
});

const SIZES = [
  [800, 600],
  [1280, 800],
] as const;

describe.each(['light', 'dark'] as const)('every screen in %s', (colorScheme) => {
  it.each(SIZES)('at %i×%i: no axe violation, no sideways scrolling', async (width, height) => {
    const { context, page } = await openWindow(browser, mailport, {
      colorScheme,
      width,
      height,
      forAxe: true,
    });
    try {
      for (const [id, title] of SCREENS) {
        await goTo(page, title);
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await page.waitForTimeout(300);
        const violations = await axeViolations(page);
        expect(
          violations,
          `${id}, ${colorScheme}, ${width}×${height}:\n${describeViolations(violations)}`,
        ).toEqual([]);
        const overflow = (await page.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        )) as number;
        expect(overflow, `${id} scrolls sideways at ${width}×${height}`).toBeLessThanOrEqual(0);
        await page.screenshot({
          path: join(SCREENSHOTS, `${id}-${colorScheme}-${width}x${height}.png`),
          fullPage: true,
        });
      }
    } finally {
      await context.close();
    }
  });
});

describe('the page itself', () => {
  it('tells a browser without the sign-in link to open it, and keeps the API closed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const response = await page.goto(`${mailport.origin}/`);
      expect(response?.status()).toBe(401);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Sign in to Mailport',
      );
      expect(await page.textContent('body')).toContain('mailport admin-url');
      const api = await page.request.post(`${mailport.origin}/api/getStatus`, { data: {} });
      expect(api.status()).toBe(401);
      await page.screenshot({ path: join(SCREENSHOTS, 'not-signed-in.png') });
    } finally {
      await context.close();
    }
  });

  it('runs under its Content-Security-Policy without a single refusal', async () => {
    const { context, page } = await openWindow(browser, mailport);
    const refusals: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refusals.push(m.text());
    });
    try {
      const response = await page.goto(`${mailport.origin}/`);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      for (const [, title] of SCREENS) await goTo(page, title);
      expect(refusals).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

/** What has the keyboard focus: its tag and its label, in one line. */
function focused(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const e = document.activeElement;
    const label = (e.labels && e.labels[0] && e.labels[0].textContent) || e.getAttribute('aria-label') || e.textContent || '';
    return (e.tagName + ' ' + label).replace(/\\s+/g, ' ').trim();
  })()`);
}

/** Presses Tab until the focus is on what `wanted` matches; fails after 60 presses. */
async function tabTo(page: Page, wanted: RegExp): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (wanted.test(now)) return;
    seen.push(now);
  }
  throw new Error(`Tab never reached ${wanted}; it went through:\n${seen.join('\n')}`);
}

describe('with the keyboard alone', () => {
  it('switches a service, moves between screens and adds an account', async () => {
    const { context, page } = await openWindow(browser, mailport);
    try {
      await tabTo(page, /^INPUT POP3 with STLS$/);
      await page.keyboard.press('Space');
      await page.locator('[data-listener="pop3"]').getByText(/^Off/).waitFor();
      await page.keyboard.press('Space');
      await page.locator('[data-listener="pop3"]').getByText('Listening').waitFor();
      await page.keyboard.press('Shift+Tab');
      await tabTo(page, /^A Accounts$/);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
      await tabTo(page, /^INPUT Name/);
      await page.keyboard.type('keys');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Account keys added' }).waitFor();
      await tabTo(page, /^BUTTON Remove keys$/);
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Remove the account keys?' });
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await page.locator('[data-account="keys"]').count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
