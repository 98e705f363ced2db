import { decideStatusReport } from './message-status';

describe('GHL status of a provider message', () => {
  it('reports pending for every hand-off, once; never `sent`', () => {
    for (const kind of ['QUEUED', 'SCHEDULED', 'DISPATCHED', 'SENT'] as const) {
      expect(decideStatusReport('ACCEPTED', kind)).toEqual({
        next: 'PENDING',
        update: { status: 'pending' },
      });
      expect(decideStatusReport('PENDING', kind)).toBeUndefined();
    }
  });

  it('reports delivered, and failed with our error code and message', () => {
    expect(decideStatusReport('PENDING', 'DELIVERED')?.update).toEqual({ status: 'delivered' });
    expect(decideStatusReport('ACCEPTED', 'DELIVERED')?.next).toBe('DELIVERED');
    expect(
      decideStatusReport('PENDING', 'FAILED', {
        code: 'DEVICE_OFFLINE',
        message: 'No device took it',
      })?.update,
    ).toEqual({
      status: 'failed',
      error: { code: 'DEVICE_OFFLINE', type: 'saas', message: 'No device took it' },
    });
    expect(
      decideStatusReport('ACCEPTED', 'REJECTED', { code: 'DND', message: '' })?.update.error,
    ).toEqual({
      code: 'DND',
      type: 'saas',
      message: 'Switchboard refused the message',
    });
    expect(decideStatusReport('ACCEPTED', 'EXPIRED')?.update.error?.code).toBe('EXPIRED');
  });

  it('never goes backwards: nothing after a final status', () => {
    expect(decideStatusReport('DELIVERED', 'FAILED')).toBeUndefined();
    expect(decideStatusReport('FAILED', 'DELIVERED')).toBeUndefined();
    expect(decideStatusReport('DELIVERED', 'QUEUED')).toBeUndefined();
    expect(decideStatusReport('ACCEPTED', 'RECEIVED')).toBeUndefined();
  });
});
