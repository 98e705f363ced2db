import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { GhlSyncErrorCode, GhlSyncException } from '../common/ghl-sync.exception';
import { GHL_SYNC_CONFIG, type GhlSyncConfig } from '../config';
import { RequestLogRepository } from '../request-log/request-log.repository';
import { GhlRateLimiter } from './ghl-rate-limiter';

/** One request to GHL. */
export interface GhlRequest {
  /** For the request log: `oauth.token`, `conversations.status`, … */
  operation: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  query?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A form-encoded body (the OAuth endpoints). */
  form?: Record<string, string>;
  /** A multipart/form-data body (uploads); an array is one field per value. */
  multipart?: Record<string, string | string[]>;
  /** The `Version` header (every endpoint but /oauth/token requires one). */
  version?: string;
  /** The Bearer token. */
  token?: string;
  /** Whose request it is (the request log) and which location's rate limit it counts against. */
  orgId?: string;
  locationId?: string;
}

export interface GhlResponse<T> {
  status: number;
  body: T;
}

const TIMEOUT_MS = 10_000;

/**
 * The one way to GHL: the location's rate limit first (GhlRateLimiter), the request, what the
 * response's rate-limit headers say, a request-log entry (no bodies, no tokens), then typed
 * errors: 429, 5xx and network failures are GHL_UNAVAILABLE (a retry may help), 401 and other
 * 4xx GHL_REQUEST_FAILED with the status in `details`. No retries here: whoever calls knows
 * whether the call is idempotent.
 */
@Injectable()
export class GhlHttp {
  private readonly logger = new Logger(GhlHttp.name);

  constructor(
    @Inject(GHL_SYNC_CONFIG) private readonly config: GhlSyncConfig,
    private readonly dataSource: DataSource,
    private readonly limiter: GhlRateLimiter,
    private readonly log: RequestLogRepository,
    private readonly clock: Clock,
  ) {}

  async request<T>(req: GhlRequest): Promise<GhlResponse<T>> {
    const started = this.clock.now();
    const t0 = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      if (req.locationId) await this.limiter.acquire(req.locationId);
      const url = new URL(req.path, this.config.GHL_API_BASE);
      for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (req.version) headers.Version = req.version;
      if (req.token) headers.Authorization = `Bearer ${req.token}`;
      let body: string | FormData | undefined;
      if (req.multipart) {
        // fetch sets the multipart Content-Type with its boundary.
        const form = new FormData();
        for (const [name, value] of Object.entries(req.multipart)) {
          for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
        }
        body = form;
      } else if (req.form) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(req.form).toString();
      } else if (req.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(req.json);
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method: req.method,
          headers,
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (cause) {
        throw new GhlSyncException(GhlSyncErrorCode.GHL_UNAVAILABLE, 'GHL could not be reached', {
          cause,
          // A timeout may have reached GHL (not safe to repeat a POST); a refused connection not.
          details: { reached: (cause as Error)?.name === 'TimeoutError' },
        });
      }
      status = response.status;
      if (req.locationId) this.limiter.observe(req.locationId, response.status, response.headers);
      const text = await response.text();
      const parsed = parseJson(text);
      if (response.ok) return { status: response.status, body: parsed as T };
      const message = errorMessageOf(parsed) ?? `HTTP ${response.status}`;
      if (response.status === 429 || response.status >= 500) {
        const retryAfter = Number(response.headers.get('retry-after'));
        throw new GhlSyncException(GhlSyncErrorCode.GHL_UNAVAILABLE, `GHL: ${message}`, {
          details: { status: response.status, reached: true },
          retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
        });
      }
      throw new GhlSyncException(GhlSyncErrorCode.GHL_REQUEST_FAILED, `GHL: ${message}`, {
        details: { status: response.status },
      });
    } catch (e) {
      error = (e as Error).message.slice(0, 300);
      throw e;
    } finally {
      if (req.orgId) {
        await this.record(req, started, status, Math.round(performance.now() - t0), error);
      }
    }
  }

  private async record(
    req: GhlRequest,
    at: Date,
    status: number | null,
    durationMs: number,
    error: string | null,
  ): Promise<void> {
    const orgId = req.orgId as string;
    try {
      await inTenantTransaction(this.dataSource, orgId, (tx) =>
        this.log.add(tx, {
          orgId,
          id: randomUUID(),
          locationId: req.locationId ?? null,
          operation: req.operation,
          method: req.method,
          path: req.path,
          status,
          durationMs,
          error,
          at,
        }),
      );
    } catch (e) {
      // The log is evidence, not the work: a failure to write it never fails the call.
      this.logger.warn(`request log entry not written: ${(e as Error).message}`);
    }
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const m = (body as { message?: unknown }).message;
  if (typeof m === 'string') return m.slice(0, 200);
  if (Array.isArray(m))
    return m
      .filter((x) => typeof x === 'string')
      .join('; ')
      .slice(0, 200);
  return undefined;
}
