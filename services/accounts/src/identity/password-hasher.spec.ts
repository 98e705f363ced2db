import bcrypt from 'bcrypt';
import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher({ BCRYPT_COST: 4 });

  it('hashes with the configured cost and verifies', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('wrong horse battery', hash)).toBe(false);
  });

  it('spends a comparison even without a hash, so unknown accounts take as long', async () => {
    const compare = jest.spyOn(bcrypt, 'compare');
    try {
      expect(await hasher.verify('anything at all', undefined)).toBe(false);
      expect(await hasher.verify('anything at all', null)).toBe(false);
      expect(compare).toHaveBeenCalledTimes(2);
      expect(String(compare.mock.calls[0][1])).toMatch(/^\$2b\$04\$/);
    } finally {
      compare.mockRestore();
    }
  });
});
