import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MediaRoute {
  status?: number;
  contentType?: string;
  body?: Buffer;
  headers?: Record<string, string>;
  /** Answer 401 unless this Authorization header comes. */
  requireAuthorization?: string;
}

/**
 * A local HTTPS media host (what carriers' MediaUrl / media[].url point at), with a
 * self-signed certificate for 127.0.0.1 (openssl): `ca` is what the app must trust
 * (MEDIA_EXTRA_CA). Records every request's path and Authorization header.
 */
export class MediaTestServer {
  readonly requests: { path: string; authorization: string | undefined }[] = [];
  private readonly routes = new Map<string, MediaRoute>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly ca: string,
  ) {}

  /** Starts on 127.0.0.1 with `tls` (see mediaTestTls), or a fresh throwaway certificate. */
  static async start(tls?: { key: string; cert: string }): Promise<MediaTestServer> {
    const { key, cert } = tls ?? mediaTestTls();
    const state: { self?: MediaTestServer } = {};
    const server = createServer({ key, cert }, (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      state.self!.requests.push({ path, authorization: req.headers.authorization });
      const route = state.self!.routes.get(path);
      if (!route) return void res.writeHead(404).end();
      if (route.requireAuthorization && req.headers.authorization !== route.requireAuthorization) {
        return void res.writeHead(401).end();
      }
      res.writeHead(route.status ?? 200, {
        ...(route.contentType ? { 'content-type': route.contentType } : {}),
        'content-length': String((route.body ?? Buffer.alloc(0)).length),
        ...route.headers,
      });
      res.end(route.body ?? Buffer.alloc(0));
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    state.self = new MediaTestServer(server, `https://127.0.0.1:${port}`, cert);
    return state.self;
  }

  route(path: string, route: MediaRoute): string {
    this.routes.set(path, route);
    return `${this.url}${path}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * A self-signed certificate for 127.0.0.1 (openssl). With `dir`, kept there and reused (the
 * e2e platform trusts it from global-setup; the test files serve with it).
 */
export function mediaTestTls(dir?: string): { key: string; cert: string } {
  const target = dir ?? mkdtempSync(join(tmpdir(), 'media-tls-'));
  const keyFile = join(target, 'media-key.pem');
  const certFile = join(target, 'media-cert.pem');
  try {
    if (!dir || !existsSync(certFile)) {
      mkdirSync(target, { recursive: true });
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          keyFile,
          '-out',
          certFile,
          '-days',
          '30',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
    }
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } finally {
    if (!dir) rmSync(target, { recursive: true, force: true });
  }
}
