import {
  addressesProblem,
  addressProblem,
  checkWebhookUrl,
  isUrlProblem,
  parseAddressAllowList,
} from './webhook-address';

describe('webhook SSRF rules', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.20.0.1', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.100.100.200', 'carrier-grade NAT (RFC 6598)'],
    ['0.0.0.0', 'this network'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00:ec2::254', 'unique local (fd00:ec2::254 is a cloud metadata address)'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private (RFC 1918)'],
    ['224.0.0.1', 'multicast'],
  ])('refuses %s (%s)', (address, range) => {
    expect(addressProblem(address)).toEqual({ kind: 'forbidden-address', address, range });
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1', '100.128.0.1'])(
    'lets %s through',
    (address) => {
      expect(addressProblem(address)).toBeUndefined();
    },
  );

  it('lets allow-listed addresses and ranges through', () => {
    const allow = parseAddressAllowList(['127.0.0.1', '10.1.0.0/16', '::1']);
    expect(addressProblem('127.0.0.1', allow)).toBeUndefined();
    expect(addressProblem('10.1.255.255', allow)).toBeUndefined();
    expect(addressProblem('::1', allow)).toBeUndefined();
    expect(addressProblem('127.0.0.2', allow)).toMatchObject({ kind: 'forbidden-address' });
    expect(addressProblem('10.2.0.1', allow)).toMatchObject({ kind: 'forbidden-address' });
    expect(() => parseAddressAllowList(['example.com'])).toThrow(/not an IP/);
    expect(() => parseAddressAllowList(['10.0.0.0/33'])).toThrow(/prefix/);
  });

  it('refuses a host when any of its addresses is forbidden (or it has none)', () => {
    expect(addressesProblem(['8.8.8.8', '10.0.0.1'])).toMatchObject({ address: '10.0.0.1' });
    expect(addressesProblem([])).toMatchObject({ kind: 'invalid' });
    expect(addressesProblem(['8.8.8.8'])).toBeUndefined();
  });

  it('checks the URL shape: https only unless http is allowed, no credentials', () => {
    expect(checkWebhookUrl('https://example.com/hook?a=1', { allowHttp: false })).toEqual({
      url: 'https://example.com/hook?a=1',
      host: 'example.com',
    });
    expect(checkWebhookUrl('http://example.com/hook', { allowHttp: false })).toEqual({
      kind: 'invalid',
      reason: 'must be https',
    });
    expect(checkWebhookUrl('http://127.0.0.1:8080/h', { allowHttp: true })).toEqual({
      url: 'http://127.0.0.1:8080/h',
      host: '127.0.0.1',
    });
    expect(checkWebhookUrl('https://[::1]/h', { allowHttp: false })).toMatchObject({ host: '::1' });
    for (const bad of [
      'ftp://example.com',
      'example.com/hook',
      'https://u:p@example.com/',
      'https://example.com/#x',
    ]) {
      expect(isUrlProblem(checkWebhookUrl(bad, { allowHttp: true }))).toBe(true);
    }
    expect(
      isUrlProblem(
        checkWebhookUrl(`https://example.com/${'a'.repeat(3000)}`, { allowHttp: false }),
      ),
    ).toBe(true);
  });
});
