import { lanAddress, publicUrls, type InterfaceList } from './public-urls';

const loopback = { lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }] };
const lan: InterfaceList = {
  ...loopback,
  docker0: undefined,
  eth0: [
    { address: 'fe80::1', family: 'IPv6', internal: false },
    { address: '169.254.10.2', family: 'IPv4', internal: false },
    { address: '192.168.1.23', family: 'IPv4', internal: false },
  ],
  wlan0: [{ address: '10.0.0.7', family: 4, internal: false }],
};

describe('lanAddress', () => {
  it('is the first non-internal IPv4 address (not link-local, not IPv6)', () => {
    expect(lanAddress(lan)).toBe('192.168.1.23');
    expect(lanAddress({ wlan0: [{ address: '10.0.0.7', family: 4, internal: false }] })).toBe(
      '10.0.0.7',
    );
  });

  it('is 127.0.0.1 only when nothing else exists', () => {
    expect(lanAddress(loopback)).toBe('127.0.0.1');
    expect(lanAddress({})).toBe('127.0.0.1');
  });
});

describe('publicUrls', () => {
  it('gives phones the LAN address and the port by default', () => {
    expect(publicUrls({ PORT: 4102 }, lan)).toEqual({
      publicBaseUrl: 'http://192.168.1.23:4102',
      deviceApiUrl: 'http://192.168.1.23:4102/api/mobile/v1',
      deviceHooksUrl: 'http://192.168.1.23:4102/api/device-hooks',
    });
  });

  it('takes DEVICE_API_PUBLIC_URL as the device API, and its origin for the webhooks', () => {
    expect(
      publicUrls({ PORT: 4102, DEVICE_API_PUBLIC_URL: 'https://sms.example/api/mobile/v1/' }, lan),
    ).toEqual({
      publicBaseUrl: 'https://sms.example',
      deviceApiUrl: 'https://sms.example/api/mobile/v1',
      deviceHooksUrl: 'https://sms.example/api/device-hooks',
    });
  });

  it('derives both from PUBLIC_BASE_URL (the ingress), DEVICE_API_PUBLIC_URL still winning', () => {
    expect(publicUrls({ PORT: 4102, PUBLIC_BASE_URL: 'https://sb.example/' }, lan)).toMatchObject({
      deviceApiUrl: 'https://sb.example/api/mobile/v1',
      deviceHooksUrl: 'https://sb.example/api/device-hooks',
    });
    expect(
      publicUrls(
        {
          PORT: 4102,
          PUBLIC_BASE_URL: 'https://sb.example',
          DEVICE_API_PUBLIC_URL: 'https://phones.example/v1',
        },
        lan,
      ).deviceApiUrl,
    ).toBe('https://phones.example/v1');
  });
});
