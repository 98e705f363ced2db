import { decideSuppression, NO_SUPPRESSION, type SuppressionSnapshot } from './suppression';

const at = new Date('2026-11-29T12:00:00Z');
const optedOutBy = (source: SuppressionSnapshot['optOutSource']): SuppressionSnapshot => ({
  ...NO_SUPPRESSION,
  optedOut: true,
  optedOutChangedAt: new Date('2026-11-01T00:00:00Z'),
  optOutSource: source,
  version: 3,
});

describe('suppression decisions', () => {
  it('opts a number out once: version 1, a confirmation for a keyword', () => {
    const first = decideSuppression(
      NO_SUPPRESSION,
      { kind: 'OPT_OUT', source: 'INBOUND_KEYWORD' },
      at,
    );
    expect(first).toEqual({
      outcome: 'CHANGED',
      confirm: true,
      next: {
        ...NO_SUPPRESSION,
        optedOut: true,
        optedOutChangedAt: at,
        optOutSource: 'INBOUND_KEYWORD',
        version: 1,
      },
    });
    if (first.outcome !== 'CHANGED') throw new Error('unreachable');
    // A repeated STOP while opted out: nothing changes, no second confirmation.
    expect(
      decideSuppression(first.next, { kind: 'OPT_OUT', source: 'INBOUND_KEYWORD' }, at),
    ).toEqual({ outcome: 'UNCHANGED', next: first.next, confirm: false });
  });

  it('confirms only keyword changes, never API ones', () => {
    const api = decideSuppression(NO_SUPPRESSION, { kind: 'OPT_OUT', source: 'API' }, at);
    expect(api).toMatchObject({ outcome: 'CHANGED', confirm: false });
  });

  it('lets the subscriber lift a keyword opt-out with START', () => {
    const lifted = decideSuppression(
      optedOutBy('INBOUND_KEYWORD'),
      { kind: 'OPT_IN', source: 'INBOUND_KEYWORD' },
      at,
    );
    expect(lifted).toMatchObject({
      outcome: 'CHANGED',
      confirm: true,
      next: { optedOut: false, optedOutChangedAt: at, optOutSource: 'INBOUND_KEYWORD', version: 4 },
    });
  });

  it('does not let the API silently lift a keyword opt-out: owner and reason only', () => {
    const stop = optedOutBy('INBOUND_KEYWORD');
    expect(decideSuppression(stop, { kind: 'OPT_IN', source: 'API' }, at)).toEqual({
      outcome: 'REFUSED',
      reason: 'KEYWORD_OPT_OUT',
    });
    expect(
      decideSuppression(stop, { kind: 'OPT_IN', source: 'ADMIN', owner: true, reason: '  ' }, at),
    ).toEqual({
      outcome: 'REFUSED',
      reason: 'REASON_REQUIRED',
    });
    expect(
      decideSuppression(
        stop,
        { kind: 'OPT_IN', source: 'ADMIN', owner: true, reason: 'written request, ticket 12' },
        at,
      ),
    ).toMatchObject({
      outcome: 'CHANGED',
      confirm: false,
      next: { optedOut: false, optOutSource: 'ADMIN' },
    });
  });

  it('lets the API lift an opt-out the API made', () => {
    expect(
      decideSuppression(optedOutBy('API'), { kind: 'OPT_IN', source: 'API' }, at),
    ).toMatchObject({
      outcome: 'CHANGED',
      next: { optedOut: false },
    });
  });

  it('ignores an opt-in of a number that is not opted out (a YES answering a question)', () => {
    expect(
      decideSuppression(NO_SUPPRESSION, { kind: 'OPT_IN', source: 'INBOUND_KEYWORD' }, at),
    ).toEqual({
      outcome: 'UNCHANGED',
      next: NO_SUPPRESSION,
      confirm: false,
    });
  });

  it('records consent without lifting an opt-out, and withdraws it', () => {
    const granted = decideSuppression(
      optedOutBy('INBOUND_KEYWORD'),
      { kind: 'CONSENT_GRANTED', source: 'WEB_FORM' },
      at,
    );
    expect(granted).toMatchObject({
      outcome: 'CHANGED',
      next: {
        optedOut: true,
        consent: true,
        consentChangedAt: at,
        consentSource: 'WEB_FORM',
        version: 4,
      },
    });
    if (granted.outcome !== 'CHANGED') throw new Error('unreachable');
    expect(
      decideSuppression(granted.next, { kind: 'CONSENT_GRANTED', source: 'WEB_FORM' }, at).outcome,
    ).toBe('UNCHANGED');
    expect(
      decideSuppression(granted.next, { kind: 'CONSENT_WITHDRAWN', source: 'API' }, at),
    ).toMatchObject({
      outcome: 'CHANGED',
      next: { consent: false, version: 5 },
    });
    expect(
      decideSuppression(NO_SUPPRESSION, { kind: 'CONSENT_WITHDRAWN', source: 'API' }, at).outcome,
    ).toBe('UNCHANGED');
  });

  it('sets and clears DND', () => {
    const set = decideSuppression(NO_SUPPRESSION, { kind: 'DND_SET', source: 'GHL' }, at);
    expect(set).toMatchObject({ outcome: 'CHANGED', next: { dnd: true, version: 1 } });
    if (set.outcome !== 'CHANGED') throw new Error('unreachable');
    expect(decideSuppression(set.next, { kind: 'DND_SET', source: 'GHL' }, at).outcome).toBe(
      'UNCHANGED',
    );
    expect(decideSuppression(set.next, { kind: 'DND_CLEARED', source: 'GHL' }, at)).toMatchObject({
      outcome: 'CHANGED',
      next: { dnd: false, version: 2 },
    });
  });
});
