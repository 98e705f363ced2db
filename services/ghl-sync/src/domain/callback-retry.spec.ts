import { decideCallbackRetry } from './callback-retry';

describe('callback retries', () => {
  it('waits out rate limits without counting them (none lost in a 429 storm)', () => {
    expect(
      decideCallbackRetry(
        { code: 'GHL_UNAVAILABLE', status: 429, reached: true, retryAfterSeconds: 2 },
        11,
        12,
        false,
      ),
    ).toEqual({
      action: 'retry',
      delayMs: 2000,
      counted: false,
    });
    // Our own bucket refused before sending (retry after, not counted).
    expect(
      decideCallbackRetry(
        { code: 'GHL_UNAVAILABLE', reached: false, retryAfterSeconds: 1 },
        50,
        12,
        true,
      ),
    ).toMatchObject({
      action: 'retry',
      counted: false,
    });
  });

  it('keeps an uninstalled location’s calls until it is installed again', () => {
    expect(
      decideCallbackRetry({ code: 'UNKNOWN_LOCATION', reached: false }, 99, 12, true),
    ).toMatchObject({
      action: 'retry',
      counted: false,
    });
  });

  it('retries 5xx with backoff only for idempotent calls, up to the maximum', () => {
    expect(
      decideCallbackRetry({ code: 'GHL_UNAVAILABLE', status: 502, reached: true }, 0, 12, true),
    ).toEqual({
      action: 'retry',
      delayMs: 1000,
      counted: true,
    });
    expect(
      decideCallbackRetry({ code: 'GHL_UNAVAILABLE', status: 502, reached: true }, 11, 12, true),
    ).toEqual({ action: 'give-up' });
    expect(
      decideCallbackRetry({ code: 'GHL_UNAVAILABLE', status: 502, reached: true }, 0, 12, false),
    ).toEqual({ action: 'give-up' });
    expect(
      decideCallbackRetry({ code: 'GHL_UNAVAILABLE', reached: false }, 0, 12, false),
    ).toMatchObject({ action: 'retry' });
  });

  it('gives up on what GHL refuses (4xx)', () => {
    expect(
      decideCallbackRetry({ code: 'GHL_REQUEST_FAILED', status: 422, reached: true }, 0, 12, true),
    ).toEqual({
      action: 'give-up',
    });
  });
});
