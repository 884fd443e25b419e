import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnownDevices } from '../../../src-main/core/known-devices.js';
import { noticeFor } from '../../../src-main/electron/notifications.js';

let work: string | undefined;
afterEach(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('desktop notifications', () => {
  it('announce a failed listener with its remedy', async () => {
    work = await mkdtemp(join(tmpdir(), 'mailport-notice-'));
    const devices = await KnownDevices.open(join(work, 'devices.json'));
    const notice = noticeFor(
      {
        type: 'listener',
        listener: 'imaps',
        state: {
          status: 'failed',
          error: 'Port 993 is in use by another program.',
          remedy: 'Choose another port.',
        },
      },
      devices,
    );
    expect(notice?.title).toBe('IMAP over TLS could not start');
    expect(notice?.body).toBe('Port 993 is in use by another program. Choose another port.');
    expect(
      noticeFor({ type: 'listener', listener: 'imaps', state: { status: 'stopped' } }, devices),
    ).toBeUndefined();
  });

  it('announce a device once per account, remembered across restarts', async () => {
    work = await mkdtemp(join(tmpdir(), 'mailport-notice-'));
    const file = join(work, 'devices.json');
    const login = (account: string, remoteAddress: string, ok = true) =>
      ({ type: 'login', ok, account, remoteAddress }) as const;
    const devices = await KnownDevices.open(file);
    expect(noticeFor(login('me', '192.168.1.20'), devices)?.body).toContain('192.168.1.20');
    expect(noticeFor(login('me', '192.168.1.20'), devices)).toBeUndefined();
    expect(noticeFor(login('me', '192.168.1.21', false), devices)).toBeUndefined();
    expect(noticeFor(login('other', '192.168.1.20'), devices)).toBeDefined();
    await devices.flushed();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      me: ['192.168.1.20'],
      other: ['192.168.1.20'],
    });
    const reopened = await KnownDevices.open(file);
    expect(noticeFor(login('me', '192.168.1.20'), reopened)).toBeUndefined();
    await writeFile(file, '{ damaged');
    const fresh = await KnownDevices.open(file);
    expect(noticeFor(login('me', '192.168.1.20'), fresh)).toBeDefined();
  });
});
