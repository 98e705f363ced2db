import {
  canTransition,
  effectOf,
  FINAL_STATUSES,
  isFinal,
  MESSAGE_STATUSES,
  NEXT_STATUSES,
  type MessageStatus,
} from './message-status';

describe('message status machine', () => {
  it('is a DAG: no status can ever come back', () => {
    const reachable = (
      from: MessageStatus,
      seen = new Set<MessageStatus>(),
    ): Set<MessageStatus> => {
      for (const next of NEXT_STATUSES[from]) {
        if (!seen.has(next)) {
          seen.add(next);
          reachable(next, seen);
        }
      }
      return seen;
    };
    for (const status of MESSAGE_STATUSES) expect(reachable(status).has(status)).toBe(false);
  });

  it('follows the happy path QUEUED → SCHEDULED → DISPATCHED → SENT → DELIVERED', () => {
    const path: MessageStatus[] = ['QUEUED', 'SCHEDULED', 'DISPATCHED', 'SENT', 'DELIVERED'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i])).toBe(true);
  });

  it.each<[MessageStatus, MessageStatus]>([
    ['SCHEDULED', 'QUEUED'],
    ['DISPATCHED', 'QUEUED'],
    ['DISPATCHED', 'SCHEDULED'],
    ['SENT', 'DISPATCHED'],
    ['SENT', 'CANCELED'],
    ['SENT', 'EXPIRED'],
    ['DELIVERED', 'SENT'],
    ['DELIVERED', 'FAILED'],
    ['FAILED', 'DELIVERED'],
    ['CANCELED', 'DISPATCHED'],
    ['CANCELED', 'FAILED'],
    ['EXPIRED', 'CANCELED'],
    ['REJECTED', 'DISPATCHED'],
    ['DISPATCHED', 'REJECTED'],
    ['QUEUED', 'RECEIVED'],
    ['RECEIVED', 'DELIVERED'],
  ])('%s → %s is not allowed', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it.each<[MessageStatus, MessageStatus]>([
    ['QUEUED', 'DISPATCHED'],
    ['QUEUED', 'REJECTED'],
    ['SCHEDULED', 'REJECTED'],
    ['QUEUED', 'CANCELED'],
    ['DISPATCHED', 'CANCELED'],
    ['DISPATCHED', 'EXPIRED'],
    ['DISPATCHED', 'DELIVERED'],
    ['SENT', 'FAILED'],
    ['CANCELED', 'SENT'],
    ['EXPIRED', 'DELIVERED'],
  ])('%s → %s is allowed', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it('has no way out of DELIVERED, FAILED, REJECTED, RECEIVED', () => {
    for (const status of ['DELIVERED', 'FAILED', 'REJECTED', 'RECEIVED'] as const) {
      expect(NEXT_STATUSES[status]).toEqual([]);
      expect(isFinal(status)).toBe(true);
    }
    expect([...FINAL_STATUSES].sort()).toEqual([
      'CANCELED',
      'DELIVERED',
      'EXPIRED',
      'FAILED',
      'RECEIVED',
      'REJECTED',
    ]);
  });
});

describe('effectOf (late and duplicate reports)', () => {
  it('a repeated status is a duplicate', () => {
    expect(effectOf('SENT', 'SENT', {})).toEqual({ effect: 'duplicate' });
  });

  it('SENT after DELIVERED fills in the SENT time once', () => {
    expect(effectOf('DELIVERED', 'SENT', {})).toEqual({ effect: 'late', reported: 'SENT' });
    expect(effectOf('DELIVERED', 'SENT', { sentAt: new Date() })).toEqual({ effect: 'duplicate' });
  });

  it('DISPATCHED after SENT is late; after CANCELED it is ignored', () => {
    expect(effectOf('SENT', 'DISPATCHED', {})).toEqual({ effect: 'late', reported: 'DISPATCHED' });
    expect(effectOf('CANCELED', 'DISPATCHED', {})).toEqual({ effect: 'ignored' });
  });

  it('contradictions of a final status are ignored', () => {
    expect(effectOf('DELIVERED', 'FAILED', {})).toEqual({ effect: 'ignored' });
    expect(effectOf('FAILED', 'DELIVERED', {})).toEqual({ effect: 'ignored' });
    expect(effectOf('REJECTED', 'SENT', {})).toEqual({ effect: 'ignored' });
  });

  it('transitions are transitions', () => {
    expect(effectOf('DISPATCHED', 'SENT', {})).toEqual({ effect: 'transition', to: 'SENT' });
  });
});
