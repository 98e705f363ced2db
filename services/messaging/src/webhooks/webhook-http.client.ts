import { lookup as dnsLookup } from 'node:dns';
import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type BlockList, type LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import {
  addressesProblem,
  addressProblem,
  parseAddressAllowList,
  type WebhookUrlProblem,
} from '../domain/webhook-address';

export interface WebhookResponse {
  responseCode: number | null;
  /** The first KiB of the answer. */
  responseBody: string | null;
  latencyMs: number;
  error: string | null;
}

const MAX_RESPONSE_BYTES = 1024;

/**
 * The network side of webhooks: DNS checks at registration and the POST of a delivery. The
 * SSRF rules are checked on the address the request actually connects to (a `lookup` that
 * refuses forbidden answers), so a host that resolves elsewhere at delivery time (DNS
 * rebinding) is refused then too. Redirects are not followed.
 */
@Injectable()
export class WebhookHttpClient {
  private readonly allowList: BlockList;

  constructor(@Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig) {
    this.allowList = parseAddressAllowList(config.WEBHOOK_ALLOWED_ADDRESSES.split(','));
  }

  /** The SSRF problem of a host (resolved through DNS unless an IP literal), if any. */
  async hostProblem(host: string): Promise<WebhookUrlProblem | undefined> {
    if (isIP(host)) return addressProblem(host, this.allowList);
    let addresses: string[];
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return { kind: 'invalid', reason: 'the host name does not resolve' };
    }
    return addressesProblem(addresses, this.allowList);
  }

  async post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    const target = new URL(url);
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host)) {
      const problem = addressProblem(host, this.allowList);
      if (problem)
        return {
          responseCode: null,
          responseBody: null,
          latencyMs: 0,
          error: describeProblem(problem),
        };
    }
    const guardedLookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, '', 0);
        const list = addresses as unknown as { address: string; family: number }[];
        const problem = addressesProblem(
          list.map((a) => a.address),
          this.allowList,
        );
        if (problem)
          return callback(
            Object.assign(new Error(describeProblem(problem)), { code: 'EFORBIDDEN' }),
            '',
            0,
          );
        if ((options as { all?: boolean }).all)
          return (callback as unknown as (e: null, a: unknown) => void)(null, list);
        callback(null, list[0].address, list[0].family);
      });
    };
    const transport = target.protocol === 'https:' ? https : http;
    return new Promise<WebhookResponse>((resolve) => {
      const request = transport.request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body).toString() },
          lookup: guardedLookup,
          timeout: this.config.WEBHOOK_TIMEOUT_MS,
          agent: false,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          response.on('end', () =>
            resolve({
              responseCode: response.statusCode ?? null,
              responseBody: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8'),
              latencyMs: latency(),
              error: null,
            }),
          );
          response.on('error', (error) =>
            resolve({
              responseCode: response.statusCode ?? null,
              responseBody: null,
              latencyMs: latency(),
              error: error.message,
            }),
          );
        },
      );
      const deadline = setTimeout(
        () => request.destroy(new Error('timed out')),
        this.config.WEBHOOK_TIMEOUT_MS,
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', (error) => {
        clearTimeout(deadline);
        resolve({
          responseCode: null,
          responseBody: null,
          latencyMs: latency(),
          error: error.message,
        });
      });
      request.on('close', () => clearTimeout(deadline));
      request.end(body);
    });
  }
}

export function describeProblem(problem: WebhookUrlProblem): string {
  return problem.kind === 'invalid'
    ? `invalid URL: ${problem.reason}`
    : `forbidden address ${problem.address} (${problem.range})`;
}
