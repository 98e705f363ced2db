import twilio from 'twilio';
import { verifyTwilioRequest } from './twilio-signature';

const token = '12345678901234567890123456789012';
const url = 'https://sb.example/api/carrier-hooks/twilio/o/a/status';
const params = { MessageSid: 'SM1', MessageStatus: 'delivered', To: '+15005550006' };
const raw = Buffer.from(new URLSearchParams(params).toString());
const signature = twilio.getExpectedTwilioSignature(token, url, params);

describe('verifyTwilioRequest', () => {
  it('accepts the signature over URL + sorted params and returns the params', () => {
    expect(verifyTwilioRequest(token, signature, url, raw)).toEqual(params);
  });

  it('refuses another token, URL, body, a missing signature, and repeated names', () => {
    expect(verifyTwilioRequest('0'.repeat(32), signature, url, raw)).toBeUndefined();
    expect(verifyTwilioRequest(token, signature, `${url}x`, raw)).toBeUndefined();
    expect(
      verifyTwilioRequest(token, signature, url, Buffer.from(`${raw.toString()}&Body=x`)),
    ).toBeUndefined();
    expect(verifyTwilioRequest(token, undefined, url, raw)).toBeUndefined();
    expect(verifyTwilioRequest(token, signature, url, undefined)).toBeUndefined();
    expect(
      verifyTwilioRequest(token, signature, url, Buffer.from(`${raw.toString()}&To=%2B1`)),
    ).toBeUndefined();
  });
});
