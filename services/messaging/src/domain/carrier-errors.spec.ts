import {
  CARRIER_ERROR_TEXTS,
  messageErrorOfCarrier,
  normalizeCarrierError,
  normalizeHttpFailure,
  TELNYX_ERRORS,
  TWILIO_ERRORS,
  type CarrierErrorCode,
} from './carrier-errors';

describe('carrier error taxonomy', () => {
  // The whole table, written out: a change to any row is a change to this test.
  it.each<[string, CarrierErrorCode, boolean]>([
    ['30001', 'QUEUE_OVERFLOW', true],
    ['30002', 'ACCOUNT_SUSPENDED', true],
    ['30003', 'UNREACHABLE', false],
    ['30004', 'BLOCKED', false],
    ['30005', 'UNKNOWN_DESTINATION', false],
    ['30006', 'LANDLINE', false],
    ['30007', 'FILTERED', true],
    ['30008', 'CARRIER_ERROR', true],
    ['30009', 'CARRIER_ERROR', true],
    ['30010', 'CARRIER_ERROR', true],
    ['30011', 'MEDIA_ERROR', true],
    ['30019', 'MEDIA_ERROR', true],
    ['30020', 'CARRIER_ERROR', true],
    ['30021', 'CARRIER_ERROR', true],
    ['30022', 'RATE_LIMITED', true],
    ['30023', 'RATE_LIMITED', true],
    ['30024', 'INVALID_SENDER', true],
    ['30032', 'UNVERIFIED_TOLL_FREE', true],
    ['30033', 'UNREGISTERED_10DLC', true],
    ['30034', 'UNREGISTERED_10DLC', true],
    ['20003', 'AUTH_FAILED', true],
    ['20429', 'RATE_LIMITED', true],
    ['21211', 'INVALID_NUMBER', false],
    ['21408', 'DESTINATION_NOT_ALLOWED', true],
    ['21606', 'INVALID_SENDER', true],
    ['21610', 'OPTED_OUT', false],
    ['21612', 'INVALID_SENDER', true],
    ['21614', 'LANDLINE', false],
    ['21617', 'INVALID_CONTENT', false],
    ['21620', 'MEDIA_ERROR', true],
  ])('Twilio %s → %s (another route: %s)', (raw, code, another) => {
    expect(normalizeCarrierError('TWILIO', raw, ' Some text ')).toEqual({
      code,
      rawCode: raw,
      rawText: 'Some text',
      retryableOnAnotherRoute: another,
      transient: false,
    });
  });

  it.each<[string, CarrierErrorCode, boolean]>([
    ['40001', 'LANDLINE', false],
    ['40002', 'FILTERED', true],
    ['40003', 'BLOCKED', true],
    ['40004', 'CARRIER_ERROR', true],
    ['40005', 'EXPIRED', true],
    ['40006', 'UNREACHABLE', true],
    ['40008', 'CARRIER_ERROR', true],
    ['40009', 'INVALID_CONTENT', false],
    ['40011', 'RATE_LIMITED', true],
    ['40012', 'INVALID_NUMBER', false],
    ['40013', 'INVALID_SENDER', true],
    ['40014', 'EXPIRED', true],
    ['40015', 'FILTERED', true],
    ['40300', 'OPTED_OUT', false],
    ['10001', 'INVALID_SENDER', true],
    ['10002', 'INVALID_NUMBER', false],
    ['10009', 'AUTH_FAILED', true],
    ['10010', 'AUTH_FAILED', true],
    ['10011', 'RATE_LIMITED', true],
    ['10016', 'INVALID_NUMBER', false],
  ])('Telnyx %s → %s (another route: %s)', (raw, code, another) => {
    const error = normalizeCarrierError('TELNYX', Number(raw), 'x');
    expect(error).toMatchObject({ code, rawCode: raw, retryableOnAnotherRoute: another });
  });

  it('covers every row of both tables in the tests above', () => {
    expect(Object.keys(TWILIO_ERRORS)).toHaveLength(30);
    expect(Object.keys(TELNYX_ERRORS)).toHaveLength(20);
  });

  it('maps an unknown code to CARRIER_ERROR, retryable elsewhere, keeping the raw code', () => {
    expect(normalizeCarrierError('TWILIO', '39999', null)).toEqual({
      code: 'CARRIER_ERROR',
      rawCode: '39999',
      rawText: null,
      retryableOnAnotherRoute: true,
      transient: false,
    });
    expect(normalizeCarrierError('TELNYX', undefined, '  ')).toMatchObject({
      code: 'CARRIER_ERROR',
      rawCode: null,
      rawText: null,
    });
  });

  it('does not read one vendor’s code in the other’s table', () => {
    expect(normalizeCarrierError('TELNYX', '30007', null).code).toBe('CARRIER_ERROR');
    expect(normalizeCarrierError('TWILIO', '40300', null).code).toBe('CARRIER_ERROR');
  });

  describe('HTTP failures', () => {
    it.each([
      [0, 'CARRIER_UNAVAILABLE'],
      [429, 'RATE_LIMITED'],
      [500, 'CARRIER_UNAVAILABLE'],
      [503, 'CARRIER_UNAVAILABLE'],
    ] as const)('%s is transient (%s), whatever the vendor code', (status, code) => {
      expect(normalizeHttpFailure('TWILIO', status, '30007', 'busy')).toEqual({
        code,
        rawCode: '30007',
        rawText: 'busy',
        retryableOnAnotherRoute: true,
        transient: true,
      });
      expect(normalizeHttpFailure('TELNYX', status, null, null).rawCode).toBe(`HTTP_${status}`);
    });

    it('401/403 without a code are AUTH_FAILED, not transient', () => {
      expect(normalizeHttpFailure('TELNYX', 401, null, 'no')).toMatchObject({
        code: 'AUTH_FAILED',
        transient: false,
        retryableOnAnotherRoute: true,
      });
      expect(normalizeHttpFailure('TWILIO', 403, '', null).code).toBe('AUTH_FAILED');
    });

    it('a 4xx with a vendor code is decided by the table', () => {
      expect(normalizeHttpFailure('TWILIO', 400, 21610, 'unsubscribed')).toEqual(
        normalizeCarrierError('TWILIO', '21610', 'unsubscribed'),
      );
      expect(normalizeHttpFailure('TWILIO', 400, null, 'bad')).toMatchObject({
        code: 'CARRIER_ERROR',
        rawCode: 'HTTP_400',
        transient: false,
      });
    });
  });

  it('turns into the message error with our text and the raw code and text', () => {
    const error = normalizeCarrierError('TWILIO', '30007', 'Carrier violation');
    expect(messageErrorOfCarrier(error)).toEqual({
      code: 'FILTERED',
      message: CARRIER_ERROR_TEXTS.FILTERED,
      rawCode: '30007',
      rawMessage: 'Carrier violation',
    });
  });
});
