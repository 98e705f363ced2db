import { isTracingEnabled, startTracing } from './tracing';

describe('isTracingEnabled', () => {
  it.each([
    [{}, true],
    [{ NODE_ENV: 'production' }, true],
    [{ NODE_ENV: 'test' }, false],
    [{ NODE_ENV: 'test', OTEL_ENABLED: 'true' }, true],
    [{ NODE_ENV: 'production', OTEL_ENABLED: 'false' }, false],
    [{ OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_SDK_DISABLED: 'TRUE', OTEL_ENABLED: 'true' }, false],
    [{ OTEL_SDK_DISABLED: 'false', NODE_ENV: 'development' }, true],
  ])('%j → %s', (env, enabled) => {
    expect(isTracingEnabled(env)).toBe(enabled);
  });
});

describe('startTracing', () => {
  it('is off under jest (NODE_ENV=test) and then loads nothing; calling again returns the same', async () => {
    const tracing = startTracing({ serviceName: 'test' });
    expect(tracing.enabled).toBe(false);
    expect(startTracing({ serviceName: 'other' })).toBe(tracing);
    await expect(tracing.shutdown()).resolves.toBeUndefined();
  });
});
