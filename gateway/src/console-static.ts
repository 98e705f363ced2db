import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';

/**
 * The web console's Content-Security-Policy: only the console's own scripts, styles and API
 * (same origin), no inline scripts, no third-party anything. `data:` images are the QR code
 * and chart exports; nothing may frame the console.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths the console never answers (the gateway's own routes, even unknown ones below them). */
const RESERVED =
  /^\/(graphql|health|metrics|downloads|uploads|media|\.well-known|console\/session|api)(\/|$)/;

function consoleHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
}

/**
 * Serves the built console (dist/console: index.html + hashed assets) on the gateway's origin:
 * GET and HEAD only, the hashed assets cached for good, index.html never (a deploy shows at
 * once), and every other page path a browser navigates to (Accept: text/html) answered with
 * index.html (the console routes in the browser). Never shadows the gateway's routes: RESERVED paths fall through to them (or 404).
 * Answers null when the directory holds no build (the gateway then runs without a console).
 */
export function consoleStatic(directory: string) {
  const indexFile = join(directory, 'index.html');
  if (!existsSync(indexFile)) return null;
  const index = readFileSync(indexFile);
  const assets = express.static(directory, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders(res, path) {
      consoleHeaders(res);
      res.setHeader(
        'Cache-Control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || RESERVED.test(req.path)) return next();
    assets(req, res, () => {
      // A missing asset is a 404, not the page (a stale tab asking for an old hash).
      if (req.path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(req.path)) return next();
      // Only a browser navigating (Accept: text/html) gets the page; machines get a 404.
      if (!req.accepts('html') || !String(req.headers.accept ?? '').includes('text/html'))
        return next();
      consoleHeaders(res);
      res.setHeader('Cache-Control', 'no-cache');
      res.type('html');
      if (req.method === 'HEAD') return void res.setHeader('Content-Length', index.length).end();
      res.send(index);
    });
  };
}
