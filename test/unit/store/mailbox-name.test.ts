import { describe, expect, it } from 'vitest';
import {
  decodeModifiedUtf7,
  encodeModifiedUtf7,
  mailboxNameFromFolder,
  maildirFolderName,
} from '../../../src-main/core/store/mailbox-name.js';
import { StoreError } from '../../../src-main/core/store/errors.js';

describe('modified UTF-7 (RFC 3501 §5.1.3)', () => {
  // Examples from RFC 3501 §5.1.3 and RFC 2152.
  it.each([
    ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
    ['Entwürfe', 'Entw&APw-rfe'],
    ['A & B', 'A &- B'],
    ['Gesendete Objekte', 'Gesendete Objekte'],
    ['📧', '&2D3c5w-'],
  ])('%s ⇄ %s', (unicode, encoded) => {
    expect(encodeModifiedUtf7(unicode)).toBe(encoded);
    expect(decodeModifiedUtf7(encoded)).toBe(unicode);
  });

  it.each(['&Jjo!', '&U,BTFw', '&AGE-', 'caf\u00e9', '&2D0-'])('refuses %j', (bad) => {
    expect(() => decodeModifiedUtf7(bad)).toThrow(StoreError);
  });
});

describe('Maildir++ folder names', () => {
  it.each([
    ['INBOX', ''],
    ['inbox', ''],
    ['Sent', '.Sent'],
    ['Archive/2024', '.Archive.2024'],
    ['Entwürfe', '.Entw&APw-rfe'],
  ])('%s is stored as %j', (name, folder) => {
    expect(maildirFolderName(name)).toBe(folder);
    if (folder) expect(mailboxNameFromFolder(folder)).toBe(name);
  });

  it.each([
    '../etc',
    'a/../b',
    'a//b',
    '/abs',
    'with.dot',
    'back\\slash',
    'nul\0',
    '',
    'x'.repeat(600),
  ])('refuses %j', (name) => {
    expect(() => maildirFolderName(name)).toThrow(
      expect.objectContaining({ code: 'INVALID_NAME' }),
    );
  });

  it('ignores folders that are not Maildir++ mailboxes', () => {
    expect(mailboxNameFromFolder('..')).toBeUndefined();
    expect(mailboxNameFromFolder('.')).toBeUndefined();
    expect(mailboxNameFromFolder('cur')).toBeUndefined();
    expect(mailboxNameFromFolder('.a..b')).toBeUndefined();
  });
});
