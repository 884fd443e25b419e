import { describe, expect, it } from 'vitest';
import {
  generatePassword,
  hashPassword,
  verifyPassword,
} from '../../../src-main/core/auth/password.js';

describe('passwords', () => {
  it('verifies the right password and refuses others', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(hash).not.toContain('correct');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horse ', hash)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99$8$1$AA==$AA==')).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
  });

  it('generates different, phone-friendly passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(a).not.toMatch(/[01lo]/);
    expect(generatePassword()).not.toBe(a);
  });
});
