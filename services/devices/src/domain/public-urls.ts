/** One address of a network interface, as `os.networkInterfaces()` lists it. */
export interface InterfaceAddress {
  address: string;
  family: string | number;
  internal: boolean;
}

export type InterfaceList = Record<string, InterfaceAddress[] | undefined>;

/**
 * The address a phone on the same network can reach this machine at: the first non-internal
 * IPv4 address (interfaces in the order the system lists them), else 127.0.0.1 — loopback only
 * when nothing else exists.
 */
export function lanAddress(interfaces: InterfaceList): string {
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      const ipv4 = a.family === 'IPv4' || a.family === 4;
      if (ipv4 && !a.internal && !a.address.startsWith('169.254.')) return a.address;
    }
  }
  return '127.0.0.1';
}

export interface PublicUrls {
  /** Where phones reach the service: the webhook receiver is `<base>/api/device-hooks`. */
  publicBaseUrl: string;
  /** What users type into the app ("Cloud server" → API URL). */
  deviceApiUrl: string;
  deviceHooksUrl: string;
}

const DEVICE_API_PATH = '/api/mobile/v1';
const trim = (url: string) => url.replace(/\/+$/, '');

/**
 * The URLs phones are given. `DEVICE_API_PUBLIC_URL` names the device API itself;
 * `PUBLIC_BASE_URL` the service's public origin (the chart's ingress); without either, the
 * machine's LAN address and the service's port, so a phone on the same Wi-Fi can connect.
 */
export function publicUrls(
  settings: { DEVICE_API_PUBLIC_URL?: string; PUBLIC_BASE_URL?: string; PORT: number },
  interfaces: InterfaceList,
): PublicUrls {
  const apiOverride = settings.DEVICE_API_PUBLIC_URL ? trim(settings.DEVICE_API_PUBLIC_URL) : null;
  const publicBaseUrl = settings.PUBLIC_BASE_URL
    ? trim(settings.PUBLIC_BASE_URL)
    : apiOverride?.endsWith(DEVICE_API_PATH)
      ? apiOverride.slice(0, -DEVICE_API_PATH.length)
      : `http://${lanAddress(interfaces)}:${settings.PORT}`;
  return {
    publicBaseUrl,
    deviceApiUrl: apiOverride ?? `${publicBaseUrl}${DEVICE_API_PATH}`,
    deviceHooksUrl: `${publicBaseUrl}/api/device-hooks`,
  };
}
