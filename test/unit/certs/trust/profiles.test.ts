import { describe, expect, it } from 'vitest';
import { parseProfilesIni } from '../../../../src-main/core/certs/trust/mozilla-profiles.js';

describe('profiles.ini', () => {
  it('lists relative and absolute profiles, and nothing from other sections', () => {
    const ini = [
      '[Install4F96D1932A9F858E]',
      'Default=abcd.default-release',
      '',
      '[Profile1]',
      'Name=work',
      'IsRelative=0',
      'Path=/data/firefox/work',
      '',
      '[Profile0]',
      'Name=default-release',
      'IsRelative=1',
      'Path=abcd.default-release',
      'Default=1',
      '',
      '[General]',
      'StartWithLastProfile=1',
      'Version=2',
      '[Profile2]',
      'Name=no path',
    ].join('\r\n');
    expect(parseProfilesIni(ini, '/home/ann/.mozilla/firefox')).toEqual([
      { name: 'work', folder: '/data/firefox/work' },
      { name: 'default-release', folder: '/home/ann/.mozilla/firefox/abcd.default-release' },
    ]);
  });

  it('survives junk', () => {
    expect(parseProfilesIni('\u0000garbage\n[Profile0\nPath', '/x')).toEqual([]);
  });
});
