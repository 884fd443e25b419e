/**
 * The installer configuration and the icons, checked the way electron-builder and the
 * operating systems read them: the YAML against electron-builder's own JSON schema, the PNGs
 * by their headers, the .ico and .icns by their directory of images.
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { PNG } from 'pngjs';
import Ajv from 'ajv';

const require = createRequire(import.meta.url);
const pngSize = (data: Buffer) => {
  const png = PNG.sync.read(data);
  return [png.width, png.height];
};

function builderSchema(schema: object) {
  return new Ajv({ allErrors: true }).compile(schema);
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's schema and names what the issue asks", async () => {
    const schema = require('app-builder-lib/scheme.json') as object;
    const config = parse(await readFile('electron-builder.yml', 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const validate = builderSchema(schema);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(config.productName).toBe('Mailport');
    expect(config.asar).toBe(true);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Network');
    expect(config.mac.target).toBe('dmg');
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.win.target).toBe('nsis');
    expect(config.nsis.perMachine).toBe(false);
    const entitlements = await readFile(config.mac.entitlements, 'utf8');
    expect(entitlements).toContain('com.apple.security.network.server');
  });

  it('would be refused by the same schema with an unknown key (the check can fail)', () => {
    const validate = builderSchema(require('app-builder-lib/scheme.json') as object);
    expect(validate({ productName: 'Mailport', linux: { targett: 'deb' } })).toBe(false);
  });
});

describe('icons', () => {
  it('has every PNG size, square, as named', async () => {
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024])
      expect(pngSize(await readFile(`assets/icons/${size}x${size}.png`))).toEqual([size, size]);
    expect(pngSize(await readFile('assets/icon.png'))).toEqual([1024, 1024]);
  });

  it('has a Windows .ico whose entries are PNGs of the sizes they claim', async () => {
    const ico = await readFile('assets/icon.ico');
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    expect(count).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < count; i++) {
      const at = 6 + 16 * i;
      const claimed = ico.readUInt8(at) || 256;
      const data = ico.subarray(
        ico.readUInt32LE(at + 12),
        ico.readUInt32LE(at + 12) + ico.readUInt32LE(at + 8),
      );
      expect(pngSize(data)).toEqual([claimed, claimed]);
    }
  });

  it('has a macOS .icns whose PNG elements have the sizes of their types', async () => {
    const icns = await readFile('assets/icon.icns');
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const sizes: Record<string, number> = {
      icp4: 16,
      icp5: 32,
      icp6: 64,
      ic07: 128,
      ic08: 256,
      ic09: 512,
      ic10: 1024,
    };
    const seen: string[] = [];
    for (let at = 8; at < icns.length;) {
      const type = icns.toString('ascii', at, at + 4);
      const length = icns.readUInt32BE(at + 4);
      const side = sizes[type]!;
      expect(pngSize(icns.subarray(at + 8, at + length))).toEqual([side, side]);
      seen.push(type);
      at += length;
    }
    expect(seen.sort()).toEqual(Object.keys(sizes).sort());
  });

  it('has tray images for every status and menu theme at 1x and 2x', async () => {
    for (const status of ['running', 'failed', 'stopped'])
      for (const theme of ['light', 'dark']) {
        expect(pngSize(await readFile(`assets/tray/tray-${status}-${theme}.png`))).toEqual([
          16, 16,
        ]);
        expect(pngSize(await readFile(`assets/tray/tray-${status}-${theme}@2x.png`))).toEqual([
          32, 32,
        ]);
      }
  });
});
