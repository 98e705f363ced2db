import { BlockList, isIP } from 'node:net';

/**
 * The SSRF rules for customer webhook endpoints: which URLs may be registered and which
 * addresses a delivery may connect to. Checked at registration and again for every address a
 * delivery connects to (DNS may answer differently later: rebinding).
 */

/** Why a URL or an address is refused. */
export type WebhookUrlProblem =
  | { kind: 'invalid'; reason: string }
  | { kind: 'forbidden-address'; address: string; range: string };

/** Address ranges a webhook never reaches (IANA special-purpose registries, cloud metadata). */
const FORBIDDEN_V4: [string, number, string][] = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];
const FORBIDDEN_V6: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b::', 96, 'NAT64'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique local (fd00:ec2::254 is a cloud metadata address)'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

function rangeOf(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is checked as the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return rangeOf(mapped[1]);
    for (const [net, prefix, name] of FORBIDDEN_V6) {
      const list = new BlockList();
      list.addSubnet(net, prefix, 'ipv6');
      if (list.check(address, 'ipv6')) return name;
    }
    return undefined;
  }
  for (const [net, prefix, name] of FORBIDDEN_V4) {
    const list = new BlockList();
    list.addSubnet(net, prefix, 'ipv4');
    if (list.check(address, 'ipv4')) return name;
  }
  return undefined;
}

/**
 * An allow-list of addresses or CIDR ranges (`127.0.0.1`, `10.1.0.0/16`, `::1`) that may be
 * reached although a rule above forbids them (tests, an operator's own receivers).
 */
export function parseAddressAllowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address, prefix] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`not an IP address or CIDR range: ${entry}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
        throw new Error(`bad prefix length in ${entry}`);
      }
      list.addSubnet(address, bits, type);
    }
  }
  return list;
}

function allowed(address: string, allowList?: BlockList): boolean {
  if (!allowList) return false;
  const family = isIP(address);
  return family !== 0 && allowList.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The problem of connecting to `address` (a resolved IP), or undefined when it may be reached. */
export function addressProblem(
  address: string,
  allowList?: BlockList,
): WebhookUrlProblem | undefined {
  const range = rangeOf(address);
  if (range === undefined || allowed(address, allowList)) return undefined;
  return { kind: 'forbidden-address', address, range };
}

/** The problem of the first forbidden address among a host's resolved addresses. */
export function addressesProblem(
  addresses: readonly string[],
  allowList?: BlockList,
): WebhookUrlProblem | undefined {
  if (addresses.length === 0) return { kind: 'invalid', reason: 'the host has no address' };
  for (const address of addresses) {
    const problem = addressProblem(address, allowList);
    if (problem) return problem;
  }
  return undefined;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Checks the shape of an endpoint URL (before DNS): absolute http(s), HTTPS only unless
 * `allowHttp` (development and tests), no credentials, a host name or IP literal. Returns the
 * normalized URL and the host to resolve, or the problem.
 */
export function checkWebhookUrl(
  raw: string,
  options: { allowHttp: boolean },
): { url: string; host: string } | WebhookUrlProblem {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) {
    return { kind: 'invalid', reason: `longer than ${MAX_WEBHOOK_URL_LENGTH} characters` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: 'invalid', reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:')) {
    return {
      kind: 'invalid',
      reason: options.allowHttp ? 'must be http or https' : 'must be https',
    };
  }
  if (url.username || url.password)
    return { kind: 'invalid', reason: 'must not carry credentials' };
  if (url.hash) return { kind: 'invalid', reason: 'must not have a fragment' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return { kind: 'invalid', reason: 'has no host' };
  return { url: url.toString(), host };
}

export function isUrlProblem(value: unknown): value is WebhookUrlProblem {
  return typeof value === 'object' && value !== null && 'kind' in value;
}
