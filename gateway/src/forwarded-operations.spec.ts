import {
  buildSchema,
  Kind,
  parse,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { asksTheSame } from './forwarded-operations';

const schema = buildSchema(`
  interface Item { id: ID! }
  type Note implements Item { id: ID!, text: String!, author: Person }
  type Person { name: String! }
  type Query { notes(first: Int!): [Note!]!, items: [Item!]! }
  type Mutation { addNote(text: String!): Note! }
`);

/** Whether a subgraph fetch written as `fetched` asks what the client document `client` asks. */
function same(client: string, fetched: string): boolean {
  const document = parse(client);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return asksTheSame(schema, operation, fragments, parse(fetched));
}

describe('asksTheSame (which plans are forwarded)', () => {
  it('matches the planner writing the same selections under another name and layout', () => {
    expect(
      same(
        'query Notes($n: Int!) { notes(first: $n) { id text author { name } } }',
        'query Notes__notes__0($n:Int!){notes(first:$n){id text author{name}}}',
      ),
    ).toBe(true);
    expect(same('mutation { addNote(text: "x") { id } }', 'mutation{addNote(text:"x"){id}}')).toBe(
      true,
    );
  });

  it('expands fragments on the type they are spread in, on either side', () => {
    expect(
      same(
        'query { notes(first: 1) { ...N author { ...P } } } fragment N on Note { id ... on Note { text } } fragment P on Person { name }',
        'query{notes(first:1){id text author{name}}}',
      ),
    ).toBe(true);
    expect(
      same(
        'query { notes(first: 1) { id text } }',
        'query{notes(first:1){...F}} fragment F on Note{id text}',
      ),
    ).toBe(true);
  });

  it('refuses what the client would not get as it is', () => {
    // The planner asked for __typename (an interface), which the client did not.
    expect(same('{ items { id } }', '{items{__typename id}}')).toBe(false);
    // Another alias, a field dropped or added, another order.
    expect(same('{ notes(first: 1) { key: id } }', '{notes(first:1){id}}')).toBe(false);
    expect(same('{ notes(first: 1) { id text } }', '{notes(first:1){id}}')).toBe(false);
    expect(same('{ notes(first: 1) { id text } }', '{notes(first:1){text id}}')).toBe(false);
    // Another argument, another variable default, another operation type.
    expect(same('{ notes(first: 1) { id } }', '{notes(first:2){id}}')).toBe(false);
    expect(
      same(
        'query($n: Int! = 1) { notes(first: $n) { id } }',
        'query($n:Int!){notes(first:$n){id}}',
      ),
    ).toBe(false);
    expect(same('mutation { addNote(text: "x") { id } }', 'query{addNote(text:"x"){id}}')).toBe(
      false,
    );
    // A fragment on another type than the field's stays a fragment: not the same as its fields.
    expect(same('{ items { ... on Note { id } } }', '{items{id}}')).toBe(false);
  });

  it('keeps a condition on a fragment', () => {
    expect(
      same(
        'query($t: Boolean!) { notes(first: 1) { id ...T @include(if: $t) } } fragment T on Note { text }',
        'query($t:Boolean!){notes(first:1){id ...on Note@include(if:$t){text}}}',
      ),
    ).toBe(true);
    expect(
      same(
        'query($t: Boolean!) { notes(first: 1) { id ...T @include(if: $t) } } fragment T on Note { text }',
        'query($t:Boolean!){notes(first:1){id text}}',
      ),
    ).toBe(false);
  });
});
