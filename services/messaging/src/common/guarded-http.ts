import { lookup as dnsLookup, promises as dns } from 'node:dns';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type BlockList, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import {
  addressesProblem,
  addressProblem,
  type WebhookUrlProblem,
} from '../domain/webhook-address';

/** How a guarded request ended. */
export interface GuardedResponse {
  /** The HTTP status, or null when no answer came (refused, timed out, network error). */
  status: number | null;
  headers: IncomingHttpHeaders;
  /** The body read (at most `maxBytes`; the first `maxBytes` when `overflow` is 'truncate'). */
  body: Buffer;
  latencyMs: number;
  /** Why there is no (complete) answer. */
  error: null | {
    kind: 'forbidden-address' | 'too-large' | 'timeout' | 'network';
    message: string;
  };
}

export interface GuardedRequest {
  method: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Connect to last byte. */
  timeoutMs: number;
  /** Most bytes of the answer's body read. */
  maxBytes: number;
  /** 'truncate': keep the first maxBytes, drain the rest (webhooks' log); 'abort': fail. */
  overflow: 'truncate' | 'abort';
}

/**
 * Outbound HTTP to addresses a customer or a carrier named (webhook endpoints, MMS media): the
 * SSRF rules of domain/webhook-address.ts are checked on the address the request actually
 * connects to (a `lookup` that refuses forbidden answers, and IP literals before connecting),
 * so a host that resolves elsewhere at request time (DNS rebinding) is refused too. Redirects
 * are not followed here (callers that follow them call again, through the guard).
 */
export class GuardedHttpClient {
  private readonly ca: string[] | undefined;

  constructor(
    private readonly allowList: BlockList,
    /** Extra trusted CA certificates (PEM; an operator's private CA, tests). */
    extraCa?: string,
  ) {
    this.ca = extraCa?.trim() ? [...rootCertificates, extraCa] : undefined;
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

  request(url: string, options: GuardedRequest): Promise<GuardedResponse> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    const target = new URL(url);
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host)) {
      const problem = addressProblem(host, this.allowList);
      if (problem) {
        return Promise.resolve({
          status: null,
          headers: {},
          body: Buffer.alloc(0),
          latencyMs: 0,
          error: { kind: 'forbidden-address', message: describeProblem(problem) },
        });
      }
    }
    const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
      dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
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
        if ((lookupOptions as { all?: boolean }).all)
          return (callback as unknown as (e: null, a: unknown) => void)(null, list);
        callback(null, list[0].address, list[0].family);
      });
    };
    const transport = target.protocol === 'https:' ? https : http;
    const body = options.body;
    return new Promise<GuardedResponse>((resolve) => {
      let settled = false;
      const finish = (response: GuardedResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(response);
      };
      const failure = (
        status: number | null,
        headers: IncomingHttpHeaders,
        kind: NonNullable<GuardedResponse['error']>['kind'],
        message: string,
      ) =>
        finish({
          status,
          headers,
          body: Buffer.alloc(0),
          latencyMs: latency(),
          error: { kind, message },
        });
      const request = transport.request(
        target,
        {
          method: options.method,
          headers: {
            ...options.headers,
            ...(body !== undefined ? { 'content-length': Buffer.byteLength(body).toString() } : {}),
          },
          lookup: guardedLookup,
          timeout: options.timeoutMs,
          agent: false,
          ...(this.ca && target.protocol === 'https:' ? { ca: this.ca } : {}),
        },
        (response) => {
          const declared = Number(response.headers['content-length']);
          if (
            options.overflow === 'abort' &&
            Number.isFinite(declared) &&
            declared > options.maxBytes
          ) {
            failure(
              response.statusCode ?? null,
              response.headers,
              'too-large',
              `declared ${declared} bytes`,
            );
            request.destroy();
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            if (size + chunk.length > options.maxBytes && options.overflow === 'abort') {
              failure(
                response.statusCode ?? null,
                response.headers,
                'too-large',
                `more than ${options.maxBytes} bytes`,
              );
              request.destroy();
              return;
            }
            if (size < options.maxBytes) chunks.push(chunk);
            size += chunk.length;
          });
          response.on('end', () =>
            finish({
              status: response.statusCode ?? null,
              headers: response.headers,
              body: Buffer.concat(chunks).subarray(0, options.maxBytes),
              latencyMs: latency(),
              error: null,
            }),
          );
          response.on('error', (error) =>
            failure(response.statusCode ?? null, response.headers, 'network', error.message),
          );
        },
      );
      const deadline = setTimeout(() => request.destroy(new Error('timed out')), options.timeoutMs);
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', (error) =>
        failure(
          null,
          {},
          (error as { code?: string }).code === 'EFORBIDDEN'
            ? 'forbidden-address'
            : error.message === 'timed out'
              ? 'timeout'
              : 'network',
          error.message,
        ),
      );
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
