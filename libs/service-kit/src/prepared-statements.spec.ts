import { StatementNames } from './prepared-statements';

describe('StatementNames', () => {
  const first = 'SELECT * FROM notes WHERE id = $1';
  const second = 'SELECT * FROM stars WHERE id = $1';

  it('names a text the second time it is seen, and keeps that name', () => {
    const names = new StatementNames(10);
    expect(names.nameOf(first)).toBeUndefined();
    const name = names.nameOf(first);
    expect(name).toMatch(/^sb_[\w-]{24}$/);
    expect(names.nameOf(first)).toBe(name);
    expect(names.nameOf(second)).toBeUndefined();
    expect(names.nameOf(second)).not.toBe(name);
  });

  it('names the same text the same way in every process (a name is its text)', () => {
    const a = new StatementNames(10);
    const b = new StatementNames(10);
    a.nameOf(first);
    b.nameOf(first);
    expect(a.nameOf(first)).toBe(b.nameOf(first));
  });

  it('names no more texts than its limit; those named keep their names', () => {
    const names = new StatementNames(1);
    names.nameOf(first);
    const name = names.nameOf(first);
    names.nameOf(second);
    expect(names.nameOf(second)).toBeUndefined();
    expect(names.nameOf(first)).toBe(name);
  });

  it('names nothing with a limit of 0', () => {
    const names = new StatementNames(0);
    names.nameOf(first);
    expect(names.nameOf(first)).toBeUndefined();
  });

  it('forgets one-off texts after a thousand of them', () => {
    const names = new StatementNames(10);
    names.nameOf(first);
    for (let i = 0; i < 1_000; i++) names.nameOf(`SELECT ${i} WHERE $1`);
    expect(names.nameOf(first)).toBeUndefined();
    expect(names.nameOf(first)).toBeDefined();
  });
});
