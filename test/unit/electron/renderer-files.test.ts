import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rendererResponse } from '../../../src-main/electron/renderer-files.js';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/electron/security.js';

let work: string;
let root: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-renderer-'));
  root = join(work, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Mailport</title>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(work, 'secret.txt'), 'outside');
});
afterAll(() => rm(work, { recursive: true, force: true }));

const get = (url: string) => rendererResponse(root, new Request(url));

describe('the app scheme', () => {
  it('serves index.html for / and files with their type and the CSP', async () => {
    const index = await get('mailport://app/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await index.text()).toContain('<title>Mailport</title>');
    const script = await get('mailport://app/assets/app.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses paths outside the folder, other hosts and missing files', async () => {
    for (const url of [
      'mailport://app/%2e%2e/secret.txt',
      'mailport://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'mailport://app/..%5csecret.txt',
      'mailport://other/index.html',
      'mailport://app/missing.js',
      'mailport://app/%00',
      'mailport://app/%E0%A4%A',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain('outside');
    }
  });
});
