import { scrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  it('hashes as scrypt$N$r$p$salt$hash with a 16-byte salt and a 64-byte key', async () => {
    const stored = await hashPassword('correct horse');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(64);
  });

  it('verifies the right password only', async () => {
    const stored = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct hors', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('accepts composed and decomposed accents alike', async () => {
    const stored = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', stored)).toBe(true);
  });

  it('honours the parameters stored with an older hash', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = await new Promise<Buffer>((resolve, reject) =>
      scrypt('legacy', salt, 32, { N: 1024, r: 8, p: 1 }, (error, derived) => (error ? reject(error) : resolve(derived))),
    );
    const stored = `scrypt$1024$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    expect(await verifyPassword('legacy', stored)).toBe(true);
    expect(await verifyPassword('other', stored)).toBe(false);
  });

  it('returns false for malformed or unreasonable stored values instead of throwing', async () => {
    const good = await hashPassword('x');
    const parts = good.split('$');
    const variants = [
      '',
      'plain text',
      `bcrypt$${parts.slice(1).join('$')}`,
      good.replace('$16384$', '$1000$'), // N not a power of two
      good.replace('$16384$', `$${2 ** 24}$`), // N too large
      `${parts.slice(0, 5).join('$')}$`, // empty hash
    ];
    for (const stored of variants) expect(await verifyPassword('x', stored), stored).toBe(false);
  });
});
