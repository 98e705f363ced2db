import {
  decideOnDeviceReport,
  type DeviceReport,
  type DispatchPolicy,
  type TrackedMessage,
} from './device-report';

const now = new Date('2030-01-01T12:00:00Z');
const policy: DispatchPolicy = { maxAttempts: 3, now };

const message = (over: Partial<TrackedMessage> = {}): TrackedMessage => ({
  status: 'QUEUED',
  attempt: 1,
  deviceId: null,
  excludedDeviceIds: [],
  validUntil: null,
  timestamps: {},
  ...over,
});

const report = (over: Partial<DeviceReport> = {}): DeviceReport => ({
  state: 'DISPATCHED',
  attempt: 1,
  deviceId: 'dev-a',
  errorCode: '',
  errorMessage: '',
  reason: '',
  occurredAt: new Date('2030-01-01T11:59:59Z'),
  simNumber: 1,
  ...over,
});

describe('decideOnDeviceReport', () => {
  it('DISPATCHED moves a queued message to DISPATCHED on the device', () => {
    expect(decideOnDeviceReport(message(), report(), policy)).toEqual({
      action: 'record',
      status: 'DISPATCHED',
      reported: 'DISPATCHED',
      statusChanged: true,
      reassigned: false,
      at: new Date('2030-01-01T11:59:59Z'),
      deviceId: 'dev-a',
      simNumber: 1,
      error: null,
    });
  });

  it('PROCESSED counts as DISPATCHED when DISPATCHED was not seen, else is a duplicate', () => {
    expect(decideOnDeviceReport(message(), report({ state: 'PROCESSED' }), policy)).toMatchObject({
      action: 'record',
      status: 'DISPATCHED',
    });
    expect(
      decideOnDeviceReport(
        message({ status: 'DISPATCHED', deviceId: 'dev-a' }),
        report({ state: 'PROCESSED' }),
        policy,
      ),
    ).toEqual({ action: 'ignore', reason: 'duplicate' });
  });

  it('SENT then DELIVERED', () => {
    const dispatched = message({ status: 'DISPATCHED', deviceId: 'dev-a' });
    expect(decideOnDeviceReport(dispatched, report({ state: 'SENT' }), policy)).toMatchObject({
      action: 'record',
      status: 'SENT',
      statusChanged: true,
    });
    expect(
      decideOnDeviceReport(message({ status: 'SENT' }), report({ state: 'DELIVERED' }), policy),
    ).toMatchObject({ action: 'record', status: 'DELIVERED' });
  });

  it('a late SENT after DELIVERED fills its time, keeps the status', () => {
    expect(
      decideOnDeviceReport(message({ status: 'DELIVERED' }), report({ state: 'SENT' }), policy),
    ).toMatchObject({
      action: 'record',
      status: 'DELIVERED',
      reported: 'SENT',
      statusChanged: false,
    });
    expect(
      decideOnDeviceReport(
        message({ status: 'DELIVERED', timestamps: { sentAt: now } }),
        report({ state: 'SENT' }),
        policy,
      ),
    ).toEqual({ action: 'ignore', reason: 'duplicate' });
  });

  it('duplicates are absorbed', () => {
    expect(
      decideOnDeviceReport(message({ status: 'SENT' }), report({ state: 'SENT' }), policy),
    ).toEqual({ action: 'ignore', reason: 'duplicate' });
  });

  it('ignores reports of older or unknown attempts and of never-dispatched messages', () => {
    expect(decideOnDeviceReport(message({ attempt: 2 }), report({ attempt: 1 }), policy)).toEqual({
      action: 'ignore',
      reason: 'stale attempt',
    });
    expect(decideOnDeviceReport(message({ attempt: 1 }), report({ attempt: 2 }), policy)).toEqual({
      action: 'ignore',
      reason: 'unknown attempt',
    });
    expect(
      decideOnDeviceReport(message({ status: 'SCHEDULED', attempt: 0 }), report(), policy),
    ).toEqual({ action: 'ignore', reason: 'never dispatched' });
    expect(decideOnDeviceReport(message(), report({ state: 'UNSPECIFIED' }), policy)).toMatchObject(
      {
        action: 'ignore',
      },
    );
  });

  it('an attempt of 0 (device did not say) is taken as the current one', () => {
    expect(
      decideOnDeviceReport(message({ attempt: 2 }), report({ attempt: 0 }), policy),
    ).toMatchObject({
      action: 'record',
      status: 'DISPATCHED',
    });
  });

  it('RELEASED re-dispatches with attempt+1, excluding the device', () => {
    expect(
      decideOnDeviceReport(
        message({ status: 'DISPATCHED', deviceId: 'dev-a', excludedDeviceIds: ['dev-z'] }),
        report({ state: 'RELEASED' }),
        policy,
      ),
    ).toEqual({
      action: 'redispatch',
      attempt: 2,
      excludedDeviceIds: ['dev-z', 'dev-a'],
      lastError: expect.objectContaining({ code: 'DEVICE_OFFLINE' }),
    });
  });

  it('RELEASED on the last attempt fails with DEVICE_OFFLINE', () => {
    expect(
      decideOnDeviceReport(
        message({ status: 'DISPATCHED', attempt: 3 }),
        report({ state: 'RELEASED', attempt: 3 }),
        policy,
      ),
    ).toMatchObject({
      action: 'record',
      status: 'FAILED',
      statusChanged: true,
      error: { code: 'DEVICE_OFFLINE' },
    });
  });

  it('RELEASED after the validity fails rather than re-dispatching', () => {
    expect(
      decideOnDeviceReport(
        message({ status: 'DISPATCHED', validUntil: new Date('2030-01-01T11:00:00Z') }),
        report({ state: 'RELEASED' }),
        policy,
      ),
    ).toMatchObject({ action: 'record', status: 'FAILED' });
  });

  it('RELEASED after SENT or a cancel is ignored', () => {
    for (const status of ['SENT', 'DELIVERED', 'CANCELED', 'EXPIRED'] as const) {
      expect(
        decideOnDeviceReport(message({ status }), report({ state: 'RELEASED' }), policy),
      ).toMatchObject({ action: 'ignore' });
    }
  });

  it('FAILED before SENT with a device error retries on another device', () => {
    expect(
      decideOnDeviceReport(
        message({ status: 'DISPATCHED', deviceId: 'dev-a' }),
        report({ state: 'FAILED', errorCode: 'RESULT_ERROR_NO_SERVICE', errorMessage: 'no svc' }),
        policy,
      ),
    ).toEqual({
      action: 'redispatch',
      attempt: 2,
      excludedDeviceIds: ['dev-a'],
      lastError: {
        code: 'NO_SERVICE',
        message: expect.any(String),
        rawCode: 'RESULT_ERROR_NO_SERVICE',
        rawMessage: 'no svc',
      },
    });
  });

  it('FAILED with a carrier rejection does not retry', () => {
    expect(
      decideOnDeviceReport(
        message({ status: 'DISPATCHED' }),
        report({ state: 'FAILED', errorCode: 'CARRIER_REJECTED' }),
        policy,
      ),
    ).toMatchObject({ action: 'record', status: 'FAILED', error: { code: 'CARRIER_REJECTED' } });
  });

  it('FAILED decided by the pool itself (no device) is final, with its reason', () => {
    expect(
      decideOnDeviceReport(
        message({ status: 'QUEUED' }),
        report({
          state: 'FAILED',
          deviceId: '',
          errorCode: 'LIMIT_EXCEEDED',
          reason: 'too many segments',
        }),
        policy,
      ),
    ).toMatchObject({
      action: 'record',
      status: 'FAILED',
      error: { code: 'LIMIT_EXCEEDED', rawMessage: 'too many segments' },
    });
  });

  it('FAILED after SENT is final (delivery failure), never retried', () => {
    expect(
      decideOnDeviceReport(
        message({ status: 'SENT' }),
        report({ state: 'FAILED', errorCode: 'GENERIC_FAILURE' }),
        policy,
      ),
    ).toMatchObject({ action: 'record', status: 'FAILED', error: { code: 'GENERIC_FAILURE' } });
  });

  it('a re-dispatched message taken by another device is reassigned', () => {
    expect(
      decideOnDeviceReport(
        message({ status: 'DISPATCHED', attempt: 2, deviceId: 'dev-a' }),
        report({ attempt: 2, deviceId: 'dev-b' }),
        policy,
      ),
    ).toMatchObject({
      action: 'record',
      status: 'DISPATCHED',
      reassigned: true,
      deviceId: 'dev-b',
    });
  });

  it('SENT after a cancel wins: the phone had already sent it', () => {
    expect(
      decideOnDeviceReport(message({ status: 'CANCELED' }), report({ state: 'SENT' }), policy),
    ).toMatchObject({ action: 'record', status: 'SENT', statusChanged: true });
  });

  it('device CANCELED / EXPIRED confirmations are absorbed or applied', () => {
    expect(
      decideOnDeviceReport(message({ status: 'CANCELED' }), report({ state: 'CANCELED' }), policy),
    ).toEqual({ action: 'ignore', reason: 'duplicate' });
    expect(
      decideOnDeviceReport(message({ status: 'DISPATCHED' }), report({ state: 'EXPIRED' }), policy),
    ).toMatchObject({ action: 'record', status: 'EXPIRED', error: { code: 'EXPIRED' } });
  });

  it('never records a time in the future', () => {
    const decision = decideOnDeviceReport(
      message(),
      report({ occurredAt: new Date('2031-01-01T00:00:00Z') }),
      policy,
    );
    expect(decision).toMatchObject({ at: now });
  });
});
