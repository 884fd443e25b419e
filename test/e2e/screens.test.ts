/**
 * Every screen in light and dark, at 800×600 and 1280×800: axe-core finds no violation, the
 * page does not scroll sideways, and a screenshot of each is kept in test-output/screenshots.
 * A page without the sign-in link explains how to get it; the page runs under its strict CSP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
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
