import { placeholdersOf, renderTemplate } from './template';

const ann = {
  name: 'Ann Lee',
  phoneNumber: '+14155550100',
  attributes: { first_name: 'Ann', city: 'SF' },
};
const bare = { name: null, phoneNumber: '+14155550101', attributes: {} };

describe('renderTemplate', () => {
  it('fills attributes and the contact’s own fields', () => {
    expect(renderTemplate('Hi {{first_name}} in {{ city }} ({{name}}, {{phone}})', ann)).toEqual({
      text: 'Hi Ann in SF (Ann Lee, +14155550100)',
      missing: [],
    });
  });

  it('uses the fallback when the value is missing or empty', () => {
    expect(renderTemplate('Hi {{first_name|there}}!', bare)).toEqual({
      text: 'Hi there!',
      missing: [],
    });
    expect(renderTemplate('Hi {{first_name| }}!', bare).text).toBe('Hi !');
    expect(
      renderTemplate('Hi {{first_name|there}}!', { ...ann, attributes: { first_name: '' } }).text,
    ).toBe('Hi there!');
  });

  it('renders a missing placeholder without a fallback as nothing and reports it', () => {
    expect(renderTemplate('Code {{code}} for {{first_name}}', bare)).toEqual({
      text: 'Code  for ',
      missing: ['code', 'first_name'],
    });
  });

  it('leaves text that is not a placeholder alone', () => {
    expect(renderTemplate('{{ not closed', ann).text).toBe('{{ not closed');
    expect(renderTemplate('{single}', ann).text).toBe('{single}');
  });

  it('lists placeholders once', () => {
    expect(placeholdersOf('{{a}} {{b|x}} {{ a }}')).toEqual(['a', 'b']);
  });
});
