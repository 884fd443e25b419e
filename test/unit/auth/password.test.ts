import { describe, expect, it } from 'vitest';
import {
  generatePassword,
  hashPassword,
  unmatchableHash,
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

  it('makes hashes in the stored form that no password matches, one per call', async () => {
    const dummy = unmatchableHash();
    const real = await hashPassword('');
    // Same parameters and field sizes as a real hash, so checking against it costs the same.
    const shape = (h: string) => h.split('$').map((f, i) => (i < 4 ? f : f.length));
    expect(shape(dummy)).toEqual(shape(real));
    expect(await verifyPassword('', dummy)).toBe(false);
    expect(unmatchableHash()).not.toBe(dummy);
  });

  it('generates different, phone-friendly passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(a).not.toMatch(/[01lo]/);
    expect(generatePassword()).not.toBe(a);
  });
});
