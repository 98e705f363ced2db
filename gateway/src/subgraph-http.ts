import http from 'node:http';
import https from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { getOperationAST, parse } from 'graphql';

/** The `fetcher` a RemoteGraphQLDataSource calls. */
export type SubgraphFetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherInit = NonNullable<Parameters<SubgraphFetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<SubgraphFetcher>>;

export interface SubgraphHttpOptions {
  /**
   * How long an idle pooled connection is kept. Below the subgraphs' keep-alive timeout, so the
   * gateway closes an idle connection before the subgraph does and never sends a request on a
   * connection the subgraph is closing. A shorter `Keep-Alive: timeout=` a server announces
   * wins (Node's agent then closes a second before it).
   */
  idleTimeoutMs: number;
  /** Told when a query is sent again after its connection was reset. */
  onRetry?: (event: { url: string; reason: string }) => void;
}

/** Errors of a connection that failed before any response came: the request may be resent. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

class RequestFailed extends Error {
  constructor(
    url: string,
    override readonly cause: NodeJS.ErrnoException,
    /** No byte of a response had arrived. */
    readonly beforeResponse: boolean,
  ) {
    super(`request to ${url} failed, reason: ${cause.message}`);
    this.name = 'FetchError';
  }
  get code(): string | undefined {
    return this.cause.code;
  }
}

/**
 * The gateway's HTTP client for one subgraph: a keep-alive connection pool whose idle
 * connections are closed after `idleTimeoutMs`, and one resend of a query whose connection was
 * reset before a response came (the keep-alive race: the subgraph closed an idle connection
 * while the request was on its way). A mutation is never resent: the subgraph may have
 * executed it. Its `fetch` is the data source's fetcher.
 */
export class SubgraphHttpClient {
  private readonly agent: http.Agent;

  constructor(
    url: string,
    private readonly options: SubgraphHttpOptions,
  ) {
    const agentOptions: http.AgentOptions = {
      keepAlive: true,
      // On an idle pooled socket this is the idle timeout (Node's agent destroys it then).
      timeout: options.idleTimeoutMs,
      // The most recently used connection first: the others idle out.
      scheduling: 'lifo',
    };
    this.agent =
      new URL(url).protocol === 'https:'
        ? new https.Agent(agentOptions)
        : new http.Agent(agentOptions);
  }

  readonly fetch: SubgraphFetcher = async (url, init = {}) => {
    try {
      return await this.send(url, init);
    } catch (error) {
      if (!(error instanceof RequestFailed) || !isRetryable(error, init)) throw error;
      // The subgraph dropped its idle connections; the pooled ones that remain are suspect too.
      this.dropIdleConnections();
      this.options.onRetry?.({ url, reason: error.cause.message });
      return this.send(url, init);
    }
  };

  /** Idle pooled connections right now (for tests and metrics). */
  idleConnections(): number {
    return Object.values(this.agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
  }

  /** Closes every connection. */
  close(): void {
    this.agent.destroy();
  }

  private dropIdleConnections(): void {
    for (const sockets of Object.values(this.agent.freeSockets))
      for (const socket of sockets ?? []) socket.destroy();
  }

  private send(url: string, init: FetcherInit): Promise<FetcherResponse> {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    return new Promise<FetcherResponse>((resolve, reject) => {
      const request = transport.request(target, {
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: this.agent,
        signal: init.signal as AbortSignal | undefined,
      });
      let responded = false;
      request.on('error', (error) => reject(new RequestFailed(url, error, !responded)));
      request.once('response', (response) => {
        responded = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(new RequestFailed(url, error, false)));
        response.once('end', () => {
          if (!response.complete) {
            reject(new RequestFailed(url, new Error('response ended early'), false));
            return;
          }
          resolve(new BufferedResponse(url, response, Buffer.concat(chunks)));
        });
      });
      request.end(init.body);
    });
  }
}

/** A reset before any response, of a request that only reads. */
function isRetryable(error: RequestFailed, init: FetcherInit): boolean {
  return (
    error.beforeResponse &&
    RESET_CODES.has(error.code ?? '') &&
    !init.signal?.aborted &&
    operationType(init.body) === 'query'
  );
}

/** The type of the GraphQL operation a request body carries; undefined when it is not one. */
export function operationType(body: FetcherInit['body']): string | undefined {
  try {
    const { query, operationName } = JSON.parse(String(body ?? '')) as {
      query?: unknown;
      operationName?: unknown;
    };
    if (typeof query !== 'string') return undefined;
    const name = typeof operationName === 'string' ? operationName : undefined;
    return getOperationAST(parse(query), name)?.operation;
  } catch {
    return undefined;
  }
}

/** A response read in full: what the data source needs (it parses the body once). */
class BufferedResponse implements FetcherResponse {
  bodyUsed = false;
  readonly redirected = false;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;

  constructor(
    readonly url: string,
    source:
      Pick<http.IncomingMessage, 'statusCode' | 'statusMessage' | 'rawHeaders'> | BufferedResponse,
    private readonly body: Buffer,
  ) {
    if (source instanceof BufferedResponse) {
      this.status = source.status;
      this.statusText = source.statusText;
      this.headers = new Headers(source.headers);
    } else {
      this.status = source.statusCode ?? 0;
      this.statusText = source.statusMessage ?? '';
      this.headers = new Headers();
      for (let i = 0; i + 1 < source.rawHeaders.length; i += 2)
        this.headers.append(source.rawHeaders[i], source.rawHeaders[i + 1]);
    }
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.body.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return new Uint8Array(this.body).buffer;
  }

  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this, this.body);
  }
}
