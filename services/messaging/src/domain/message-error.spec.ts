import { messagingError, normalizeDeviceError, retryOnAnotherDevice } from './message-error';

describe('error taxonomy', () => {
  it.each([
    ['DEVICE_OFFLINE', 'DEVICE_OFFLINE'],
    ['CARRIER_REJECTED', 'CARRIER_REJECTED'],
    ['NO_SERVICE', 'NO_SERVICE'],
    ['RADIO_OFF', 'RADIO_OFF'],
    ['GENERIC_FAILURE', 'GENERIC_FAILURE'],
    ['NULL_PDU', 'NULL_PDU'],
    ['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED'],
    ['EXPIRED', 'EXPIRED'],
    ['RESULT_ERROR_NO_SERVICE', 'NO_SERVICE'],
    ['RESULT_ERROR_GENERIC_FAILURE', 'GENERIC_FAILURE'],
    ['RESULT_ERROR_RADIO_OFF', 'RADIO_OFF'],
    ['RESULT_RADIO_NOT_AVAILABLE', 'RADIO_OFF'],
    ['RESULT_NETWORK_REJECT', 'CARRIER_REJECTED'],
    ['result_error_null_pdu', 'NULL_PDU'],
    ['INVALID_NUMBER', 'INVALID_NUMBER'],
    ['SOMETHING_NEW', 'GENERIC_FAILURE'],
    ['', 'GENERIC_FAILURE'],
  ])('%j → %s', (raw, code) => {
    const error = normalizeDeviceError(raw, 'raw text ');
    expect(error.code).toBe(code);
    expect(error.rawCode).toBe(raw || null);
    expect(error.rawMessage).toBe('raw text');
    expect(error.message.length).toBeGreaterThan(5);
  });

  it('says which errors another device might not have', () => {
    expect(retryOnAnotherDevice('DEVICE_OFFLINE')).toBe(true);
    expect(retryOnAnotherDevice('NO_SERVICE')).toBe(true);
    expect(retryOnAnotherDevice('GENERIC_FAILURE')).toBe(true);
    expect(retryOnAnotherDevice('CARRIER_REJECTED')).toBe(false);
    expect(retryOnAnotherDevice('INVALID_NUMBER')).toBe(false);
    expect(retryOnAnotherDevice('EXPIRED')).toBe(false);
  });

  it('our own errors carry no raw code', () => {
    expect(messagingError('EXPIRED')).toEqual({
      code: 'EXPIRED',
      message: 'Not sent before its validity ended',
      rawCode: null,
      rawMessage: null,
    });
  });
});
