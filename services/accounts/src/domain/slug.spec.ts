import { slugFromName, slugProblem } from './slug';

describe('slug rules', () => {
  it.each([
    ['acme', undefined],
    ['a1b', undefined],
    ['acme-corp-2', undefined],
    ['a'.repeat(63), undefined],
    ['ab', 'length'],
    ['a'.repeat(64), 'length'],
    ['Acme', 'characters'],
    ['acme_corp', 'characters'],
    ['acmé', 'characters'],
    ['acme.corp', 'characters'],
    ['-acme', 'edges'],
    ['acme-', 'edges'],
    ['xn--acme', 'idna'],
    ['ab--c', 'idna'],
    ['a--b', undefined],
    ['www', 'reserved'],
    ['api', 'reserved'],
    ['admin', 'reserved'],
  ])('%s → %s', (slug, problem) => {
    expect(slugProblem(slug)).toBe(problem);
  });

  it('suggests a slug from a name', () => {
    expect(slugFromName('Acme Corp.')).toBe('acme-corp');
    expect(slugFromName('  Café   Zürich ')).toBe('cafe-zurich');
    expect(slugFromName('ÄÖ -- Ü')).toBe('ao-u');
    expect(slugFromName('x'.repeat(70))).toHaveLength(63);
  });
});
