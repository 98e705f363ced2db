import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
 * A local HTTPS media host (what carriers' MediaUrl / media[].url point at), with a throwaway
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

  static async start(): Promise<MediaTestServer> {
    const dir = mkdtempSync(join(tmpdir(), 'media-tls-'));
    try {
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
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      const key = readFileSync(join(dir, 'key.pem'), 'utf8');
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      let self: MediaTestServer | undefined;
      const server = createServer({ key, cert }, (req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        self!.requests.push({ path, authorization: req.headers.authorization });
        const route = self!.routes.get(path);
        if (!route) return void res.writeHead(404).end();
        if (
          route.requireAuthorization &&
          req.headers.authorization !== route.requireAuthorization
        ) {
          return void res.writeHead(401).end();
        }
        res.writeHead(route.status ?? 200, {
          ...(route.contentType ? { 'content-type': route.contentType } : {}),
          ...route.headers,
        });
        res.end(route.body ?? Buffer.alloc(0));
      });
      server.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      self = new MediaTestServer(server, `https://127.0.0.1:${port}`, cert);
      return self;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  route(path: string, route: MediaRoute): string {
    this.routes.set(path, route);
    return `${this.url}${path}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}
