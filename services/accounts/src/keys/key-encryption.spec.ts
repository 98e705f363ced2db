import { randomBytes } from 'node:crypto';
import { KeyEncryption } from './key-encryption';

describe('KeyEncryption (AES-256-GCM)', () => {
  const box = new KeyEncryption(randomBytes(32).toString('base64'));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.encrypt('-----BEGIN PRIVATE KEY-----abc', 'kid-1');
    expect(sealed.toString('utf8')).not.toContain('PRIVATE KEY');
    expect(box.decrypt(sealed, 'kid-1').toString()).toBe('-----BEGIN PRIVATE KEY-----abc');
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same', 'k').equals(box.encrypt('same', 'k'))).toBe(false);
  });

  it('refuses another context, a tampered ciphertext or another key', () => {
    const sealed = box.encrypt('secret', 'kid-1');
    expect(() => box.decrypt(sealed, 'kid-2')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => box.decrypt(tampered, 'kid-1')).toThrow();
    expect(() =>
      new KeyEncryption(randomBytes(32).toString('base64')).decrypt(sealed, 'kid-1'),
    ).toThrow();
  });

  it('wants a 32-byte key', () => {
    expect(() => new KeyEncryption(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
