// What the QR code of a phone enrollment carries: the devices API URL and the enrollment
// token, as the SMSGate app's Cloud server settings take them (scan instead of typing the
// 44-character token).
export interface EnrollmentQr {
  apiUrl: string;
  token: string;
}

export function enrollmentQrText(enrollment: EnrollmentQr): string {
  return JSON.stringify({
    type: 'switchboard-enrollment',
    apiUrl: enrollment.apiUrl,
    token: enrollment.token,
  });
}

export function parseEnrollmentQr(text: string): EnrollmentQr | null {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (value.type !== 'switchboard-enrollment') return null;
    if (typeof value.apiUrl !== 'string' || typeof value.token !== 'string') return null;
    return { apiUrl: value.apiUrl, token: value.token };
  } catch {
    return null;
  }
}
