#!/usr/bin/env node
// Derives every icon from assets/icon.svg and assets/tray.svg: PNGs in assets/icons (16–1024 px),
// assets/icon.icns (macOS), assets/icon.ico (Windows) and the tray images for light and dark
// menus. SVG is rasterised by Chromium (Debian's, through playwright-core); ICO and ICNS are
// containers of those PNGs, written here. Run: `node scripts/icons.mjs` (output is committed).
import { chromium } from 'playwright-core';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const TRAY_STATUS = { running: '#19a974', failed: '#e03131', stopped: '#9aa0a6' };
const TRAY_COLOR = { light: '#202124', dark: '#f1f3f4' };
// Apple's ICNS element types holding PNG data, by pixel size.
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
];

async function rasterise(page, svg, size) {
  await page.setViewportSize({ width: size, height: size });
  const url = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  await page.setContent(
    `<html><body style="margin:0;background:transparent"><img src="${url}" width="${size}" height="${size}"></body></html>`,
  );
  await page.waitForFunction(() => globalThis.document.images[0]?.complete);
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

function ico(pngs) {
  // ICONDIR, then one ICONDIRENTRY per image (PNG payloads are allowed since Vista).
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(({ size, data }, i) => {
    const at = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, at);
    header.writeUInt8(size >= 256 ? 0 : size, at + 1);
    header.writeUInt16LE(1, at + 4);
    header.writeUInt16LE(32, at + 6);
    header.writeUInt32LE(data.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...pngs.map((p) => p.data)]);
}

function icns(bySize) {
  const parts = ICNS_TYPES.map(([type, size]) => {
    const data = bySize.get(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    const svg = await readFile(join(assets, 'icon.svg'), 'utf8');
    const bySize = new Map();
    await mkdir(join(assets, 'icons'), { recursive: true });
    for (const size of [...ICON_SIZES, 1024]) {
      if (bySize.has(size)) continue;
      const png = await rasterise(page, svg, size);
      bySize.set(size, png);
      await writeFile(join(assets, 'icons', `${size}x${size}.png`), png);
    }
    await writeFile(join(assets, 'icon.png'), bySize.get(1024));
    await writeFile(
      join(assets, 'icon.ico'),
      ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, data: bySize.get(size) }))),
    );
    await writeFile(join(assets, 'icon.icns'), icns(bySize));
    const tray = await readFile(join(assets, 'tray.svg'), 'utf8');
    for (const [status, fill] of Object.entries(TRAY_STATUS)) {
      for (const [theme, color] of Object.entries(TRAY_COLOR)) {
        const themed = tray
          .replaceAll('COLOR', color)
          .replaceAll('STATUS', fill)
          .replaceAll('RING', theme === 'dark' ? '#202124' : '#ffffff');
        for (const [suffix, size] of [
          ['', 16],
          ['@2x', 32],
        ]) {
          const file = join(assets, 'tray', `tray-${status}-${theme}${suffix}.png`);
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, await rasterise(page, themed, size));
        }
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
