import { enrollmentQrText, parseEnrollmentQr } from './enrollment-qr';

describe('the enrollment QR payload', () => {
  it('round-trips the API URL and token', () => {
    const enrollment = { apiUrl: 'https://api.example.com/api/mobile/v1', token: 't'.repeat(44) };
    expect(parseEnrollmentQr(enrollmentQrText(enrollment))).toEqual(enrollment);
  });

  it('refuses anything that is not an enrollment', () => {
    expect(parseEnrollmentQr('https://example.com')).toBeNull();
    expect(parseEnrollmentQr('{"type":"other","apiUrl":"x","token":"y"}')).toBeNull();
    expect(
      parseEnrollmentQr('{"type":"switchboard-enrollment","apiUrl":1,"token":"y"}'),
    ).toBeNull();
  });
});
