import { isValidEmail, normalizeEmail } from './email-address';

describe('email addresses', () => {
  it('normalizes case and whitespace', () => {
    expect(normalizeEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
  });
  it.each([
    ['jane@example.com', true],
    ['jane+tag@mail.example.co.uk', true],
    ['jane@localhost', false],
    ['jane example@example.com', false],
    ['@example.com', false],
    ['jane@', false],
    ['jane@-example.com', false],
    [`${'a'.repeat(250)}@example.com`, false],
  ])('%s valid: %s', (email, valid) => {
    expect(isValidEmail(normalizeEmail(email))).toBe(valid);
  });
});
