import express, { type Request, type Response, Router } from 'express';

/** The refresh token's cookie: HttpOnly, SameSite=Strict, scoped to this endpoint's path. */
export const REFRESH_COOKIE = 'sb_console_refresh';
const COOKIE_PATH = '/console/session';
/** A header no cross-site form can send: with SameSite=Strict, the console's CSRF guard. */
const CONSOLE_HEADER = 'x-switchboard-console';
/** accounts' refresh tokens live 30 days at most; the cookie no longer. */
const COOKIE_MAX_AGE_MS = 30 * 86_400_000;

export interface RefreshedSession {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface ConsoleSessionOptions {
  /** Rotates a refresh token through accounts' refreshSession mutation (via the supergraph). */
  refresh(refreshToken: string, req: Request): Promise<RefreshedSession>;
  /** Plain-http cookies are allowed (development/test on http://127.0.0.1): no Secure flag. */
  allowInsecureCookie: boolean;
  admit?: (clientIp: string | undefined) => Promise<void>;
}

class SessionRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * `/console/session`: keeps the web console's refresh token out of the page. The console
 * signs up or logs in through GraphQL as every client does, then hands the refresh token here
 * (POST) and forgets it; the gateway keeps it in an HttpOnly, SameSite=Strict cookie (Secure
 * unless plain http is allowed and used). `POST /console/session/refresh` rotates it through
 * accounts' refreshSession and answers only the new access token; `DELETE` clears the cookie.
 * accounts' GraphQL contract is unchanged. JSON only and a custom header: no cross-site form
 * or simple request can drive it.
 */
export function consoleSession(options: ConsoleSessionOptions): Router {
  const router = Router();
  const setCookie = (req: Request, res: Response, value: string, maxAgeMs: number) =>
    res.cookie(REFRESH_COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure || !options.allowInsecureCookie,
      path: COOKIE_PATH,
      maxAge: maxAgeMs,
    });
  const guard = async (req: Request) => {
    if (req.headers[CONSOLE_HEADER] !== '1')
      throw new SessionRefusal(403, 'CONSOLE_HEADER_MISSING');
    try {
      await options.admit?.(req.ip);
    } catch {
      throw new SessionRefusal(429, 'RATE_LIMITED');
    }
  };
  const handle =
    (action: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response) => {
      res.setHeader('Cache-Control', 'no-store');
      try {
        await guard(req);
        await action(req, res);
      } catch (error) {
        const refusal =
          error instanceof SessionRefusal
            ? error
            : new SessionRefusal(401, 'SESSION_REFRESH_FAILED');
        res
          .status(refusal.status)
          .type('application/problem+json')
          .json({
            type: 'about:blank',
            title: refusal.status === 401 ? 'Unauthorized' : 'Refused',
            status: refusal.status,
            code: refusal.code,
          });
      }
    };
  const json = express.json({ limit: '4kb', type: 'application/json' });

  router.post(
    '/',
    json,
    handle(async (req, res) => {
      const token = (req.body as { refreshToken?: unknown } | undefined)?.refreshToken;
      if (typeof token !== 'string' || token.length < 16 || token.length > 512)
        throw new SessionRefusal(400, 'REFRESH_TOKEN_INVALID');
      setCookie(req, res, token, COOKIE_MAX_AGE_MS);
      res.status(204).end();
    }),
  );
  router.post(
    '/refresh',
    json,
    handle(async (req, res) => {
      const token = readCookie(req, REFRESH_COOKIE);
      if (!token) throw new SessionRefusal(401, 'NO_SESSION');
      let session: RefreshedSession;
      try {
        session = await options.refresh(token, req);
      } catch {
        // Expired, revoked or reused: the cookie is worthless now.
        res.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
        throw new SessionRefusal(401, 'SESSION_REFRESH_FAILED');
      }
      setCookie(req, res, session.refreshToken, COOKIE_MAX_AGE_MS);
      res.json({ accessToken: session.accessToken, expiresIn: session.expiresIn });
    }),
  );
  router.delete(
    '/',
    handle(async (_req, res) => {
      res.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
      res.status(204).end();
    }),
  );
  return router;
}
