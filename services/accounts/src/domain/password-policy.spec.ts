import { passwordProblem } from './password-policy';

describe('password policy', () => {
  it.each([
    ['correct horse battery', undefined],
    ['Zt8!kq2Lm0xP', undefined],
    ['ünïcödé-pässwörd', undefined],
    ['short', 'too_short'],
    ['elevenchars', 'too_short'],
    ['😀😀😀😀😀😀😀😀😀😀😀', 'too_short'],
    ['a'.repeat(73), 'too_long'],
    ['😀'.repeat(19), 'too_long'],
    ['Password1234', 'common'],
    ['QWERTYUIOP123', 'common'],
    ['abababababab', 'repetitive'],
    ['abcabcabcabc', 'repetitive'],
  ])('%s → %s', (password, problem) => {
    expect(passwordProblem(password)).toBe(problem);
  });

  it('refuses passwords made of the email address', () => {
    expect(passwordProblem('jane.doe@example.com!', 'jane.doe@example.com')).toBe('contains_email');
    expect(passwordProblem('my-jane.doe-secret', 'Jane.Doe@example.com')).toBe('contains_email');
    expect(passwordProblem('a perfectly fine one', 'jo@example.com')).toBeUndefined();
  });
});
