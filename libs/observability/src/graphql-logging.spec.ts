import { parse, type OperationDefinitionNode } from 'graphql';
import { createLogger } from './logger';
import { describeGraphQLOperation, graphqlLogging } from './graphql-logging';

const QUERY =
  'mutation SendMessage($to: String!) { sendMessage(to: $to, body: "hi +14155550123") { id } }';
const operation = parse(QUERY).definitions[0] as OperationDefinitionNode;

describe('describeGraphQLOperation', () => {
  it('names the parsed operation and its type', () => {
    expect(describeGraphQLOperation({ operation, request: { query: QUERY } })).toEqual({
      operation_name: 'SendMessage',
      operation_type: 'mutation',
    });
  });

  it('falls back on the query text before parsing, and on anonymous', () => {
    expect(describeGraphQLOperation({ request: { query: QUERY } })).toEqual({
      operation_name: 'SendMessage',
      operation_type: 'mutation',
    });
    expect(describeGraphQLOperation({ request: { query: '{ me { id } }' } })).toEqual({
      operation_name: 'anonymous',
      operation_type: 'query',
    });
    expect(describeGraphQLOperation({ request: {} })).toEqual({
      operation_name: 'anonymous',
      operation_type: 'unknown',
    });
  });
});

describe('graphqlLogging', () => {
  it('logs name, type, duration and error codes — never variables or the query', async () => {
    const lines: string[] = [];
    const plugin = graphqlLogging(
      createLogger({ service: 'gw', destination: { write: (s) => void lines.push(s) } }),
    );
    const hooks = await plugin.requestDidStart();
    await hooks.willSendResponse({
      operation,
      request: { query: QUERY, operationName: 'SendMessage' },
      errors: [
        { extensions: { code: 'INVALID_NUMBER' } },
        // Thrown by a resolver: Apollo formats it (extensions.code) after this hook.
        { extensions: {}, originalError: Object.assign(new Error('x'), { code: 'NOT_FOUND' }) },
        { originalError: new Error('bug') },
      ],
    });
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'warn',
      operation_name: 'SendMessage',
      operation_type: 'mutation',
      error_codes: ['INVALID_NUMBER', 'NOT_FOUND', 'UNKNOWN'],
    });
    expect(typeof line.duration_ms).toBe('number');
    expect(lines[0]).not.toMatch(/sendMessage\(|variables|4155550123/);
  });
});
