import { operationType } from './subgraph-http';

const body = (query: string, operationName?: string) => JSON.stringify({ query, operationName });

describe('operationType (what decides whether a subgraph request may be sent again)', () => {
  it('reads the operation of the request body', () => {
    expect(operationType(body('{ hello }'))).toBe('query');
    expect(operationType(body('query Q__greetings__0 { hello }'))).toBe('query');
    expect(operationType(body('mutation M__counter__0 { bump }'))).toBe('mutation');
    expect(operationType(body('subscription { ticks }'))).toBe('subscription');
  });

  it('picks the named operation of a document with several', () => {
    const doc = 'query A { hello } mutation B { bump }';
    expect(operationType(body(doc, 'A'))).toBe('query');
    expect(operationType(body(doc, 'B'))).toBe('mutation');
    expect(operationType(body(doc))).toBeUndefined();
  });

  it('knows nothing of a body that is not a GraphQL request', () => {
    expect(operationType(undefined)).toBeUndefined();
    expect(operationType('not json')).toBeUndefined();
    expect(operationType(JSON.stringify({ variables: {} }))).toBeUndefined();
    expect(operationType(body('{ unclosed'))).toBeUndefined();
  });
});
