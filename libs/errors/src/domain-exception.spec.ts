import { GraphQLError } from 'graphql';
import { HttpException } from '@nestjs/common';
import { domainException, DomainException } from './domain-exception';
import { formatGraphQLError } from './graphql-error';
import { toProblem } from './http-exception.filter';
import { dispositionOf } from './retry-policy';

enum ShopErrorCode {
  OUT_OF_STOCK = 'OUT_OF_STOCK',
  WAREHOUSE_DOWN = 'WAREHOUSE_DOWN',
  SLOW_DOWN = 'SLOW_DOWN',
}
class ShopException extends domainException<ShopErrorCode>({
  OUT_OF_STOCK: 'CONFLICT',
  WAREHOUSE_DOWN: 'UNAVAILABLE',
  SLOW_DOWN: 'RATE_LIMITED',
}) {}

describe('DomainException', () => {
  it('takes its kind and HTTP status from the module table', () => {
    const error = new ShopException(ShopErrorCode.OUT_OF_STOCK, 'gone', { details: { sku: 'a' } });
    expect(error).toBeInstanceOf(DomainException);
    expect(error.name).toBe('ShopException');
    expect(error.kind).toBe('CONFLICT');
    expect(error.httpStatus).toBe(409);
    expect(error.retryable).toBe(false);
  });

  it('becomes a GraphQL error whose extensions.code is the module code', () => {
    const original = new ShopException(ShopErrorCode.SLOW_DOWN, 'wait', { retryAfterSeconds: 30 });
    const gqlError = new GraphQLError('wait', { originalError: original, path: ['buy'] });
    const formatted = formatGraphQLError(
      { message: 'wait', path: ['buy'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      gqlError,
    );
    expect(formatted.extensions).toMatchObject({
      code: 'SLOW_DOWN',
      kind: 'RATE_LIMITED',
      retryAfterSeconds: 30,
    });
    expect(formatted.path).toEqual(['buy']);
  });

  it('hides unexpected errors in production GraphQL responses', () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const formatted = formatGraphQLError(
        { message: 'db password wrong', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        new Error('db password wrong'),
      );
      expect(formatted).toEqual({
        message: 'Internal server error',
        path: undefined,
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('hides unexpected errors when NODE_ENV is unset (details only in development mode)', () => {
    const previous = process.env.NODE_ENV;
    delete process.env.NODE_ENV;
    try {
      const formatted = formatGraphQLError(
        { message: 'db password wrong', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        new Error('db password wrong'),
      );
      expect(formatted.message).toBe('Internal server error');
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('becomes an RFC 9457 problem over HTTP', () => {
    expect(
      toProblem(new ShopException(ShopErrorCode.OUT_OF_STOCK, 'gone', { details: { sku: 'a' } })),
    ).toEqual({
      type: 'urn:switchboard:error:OUT_OF_STOCK',
      title: 'CONFLICT',
      status: 409,
      detail: 'gone',
      code: 'OUT_OF_STOCK',
      sku: 'a',
    });
    expect(toProblem(new HttpException('nope', 404))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(
      toProblem(Object.assign(new Error('x'), { status: 413, type: 'entity.too.large' })),
    ).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toProblem(new Error('secret'))).toMatchObject({
      status: 500,
      detail: 'Internal server error',
    });
  });

  it('tells a consumer to retry only what can get better', () => {
    expect(dispositionOf(new ShopException(ShopErrorCode.WAREHOUSE_DOWN, 'down'))).toBe('retry');
    expect(dispositionOf(new ShopException(ShopErrorCode.OUT_OF_STOCK, 'gone'))).toBe(
      'dead-letter',
    );
    expect(dispositionOf(new Error('connection reset'))).toBe('retry');
  });
});
