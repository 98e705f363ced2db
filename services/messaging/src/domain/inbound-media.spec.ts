import {
  classifyFetch,
  contentTypeAllowed,
  redirectTarget,
  sendsCredentials,
} from './inbound-media';
import { signMediaLink, verifyMediaLink } from './media-link';

describe('inbound media rules', () => {
  it('keeps only allowed content types (wildcards, parameters, case)', () => {
    const list = 'image/*, video/mp4,text/vcard';
    expect(contentTypeAllowed(list, 'image/jpeg')).toBe(true);
    expect(contentTypeAllowed(list, 'IMAGE/PNG; q=1')).toBe(true);
    expect(contentTypeAllowed(list, 'video/mp4')).toBe(true);
    expect(contentTypeAllowed(list, 'text/vcard; charset=utf-8')).toBe(true);
    expect(contentTypeAllowed(list, 'video/quicktime')).toBe(false);
    expect(contentTypeAllowed(list, 'text/html')).toBe(false);
    expect(contentTypeAllowed(list, undefined)).toBe(false);
    expect(contentTypeAllowed(list, 'image')).toBe(false);
  });

  it('classifies answers: stored, redirect, retried, given up', () => {
    expect(classifyFetch({ status: 200, error: null })).toEqual({ kind: 'stored' });
    expect(classifyFetch({ status: 307, location: '/x', error: null })).toEqual({
      kind: 'redirect',
      location: '/x',
    });
    expect(classifyFetch({ status: 503, error: null }).kind).toBe('retry');
    expect(classifyFetch({ status: 429, error: null }).kind).toBe('retry');
    expect(classifyFetch({ status: 404, error: null })).toMatchObject({
      kind: 'failed',
      error: 'HTTP_ERROR',
    });
    expect(
      classifyFetch({ status: null, error: { kind: 'timeout', message: 'timed out' } }),
    ).toMatchObject({ kind: 'retry', error: 'UNREACHABLE' });
    expect(
      classifyFetch({ status: null, error: { kind: 'forbidden-address', message: 'x' } }),
    ).toMatchObject({ kind: 'failed', error: 'FORBIDDEN_ADDRESS' });
    expect(
      classifyFetch({ status: 200, error: { kind: 'too-large', message: 'x' } }),
    ).toMatchObject({ kind: 'failed', error: 'TOO_LARGE' });
  });

  it('follows redirects only to http(s) without credentials, never down to http', () => {
    expect(redirectTarget('https://a.test/m/1', '/s3/1')).toBe('https://a.test/s3/1');
    expect(redirectTarget('https://a.test/m/1', 'https://b.test/x')).toBe('https://b.test/x');
    expect(redirectTarget('https://a.test/m/1', 'http://b.test/x')).toBeUndefined();
    expect(redirectTarget('https://a.test/m/1', 'file:///etc/passwd')).toBeUndefined();
    expect(redirectTarget('https://a.test/m/1', 'https://u:p@b.test/x')).toBeUndefined();
  });

  it('sends a carrier credentials only to its own API origin', () => {
    const base = 'https://api.twilio.com';
    expect(sendsCredentials('https://api.twilio.com/2010-04-01/Accounts/AC1/Media/ME1', base)).toBe(
      true,
    );
    expect(sendsCredentials('https://api.twilio.com.evil.test/x', base)).toBe(false);
    expect(sendsCredentials('https://s3.amazonaws.com/x', base)).toBe(false);
    expect(sendsCredentials('not a url', base)).toBe(false);
  });
});

describe('media links', () => {
  const secret = 's'.repeat(40);
  const now = new Date('2026-01-01T00:00:00Z');
  it('opens its own medium until it expires, nothing else', () => {
    const token = signMediaLink(secret, 'm1', 'org1', new Date(now.getTime() + 60_000));
    expect(verifyMediaLink(secret, 'm1', token, now)).toEqual({ orgId: 'org1' });
    expect(verifyMediaLink(secret, 'm2', token, now)).toBeUndefined();
    expect(verifyMediaLink('t'.repeat(40), 'm1', token, now)).toBeUndefined();
    expect(verifyMediaLink(secret, 'm1', token, new Date(now.getTime() + 60_000))).toBeUndefined();
    expect(verifyMediaLink(secret, 'm1', `${token}x`, now)).toBeUndefined();
    expect(verifyMediaLink(secret, 'm1', 'garbage', now)).toBeUndefined();
  });
});
