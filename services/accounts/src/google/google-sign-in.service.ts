import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { DataSource } from 'typeorm';
import { ACCOUNTS_CONFIG, googleSignInEnabled, type AccountsConfig } from '../config';
import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import { normalizeEmail } from '../domain/email-address';
import { IdentityService } from '../identity/identity.service';
import { UsersService } from '../identity/users.service';
import type { AuthResult } from '../tokens/sessions.service';
import { OidcStateSealer } from './oidc-state';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  token_endpoint_auth_methods_supported?: string[];
}

export interface GoogleSignInInput {
  code: string;
  state: string;
  /** Existing account: the organization to sign in to. New account: the new organization's slug. */
  organizationSlug?: string | null;
  /** New account only: creates it with an organization of this name. */
  organizationName?: string | null;
  timezone?: string | null;
  defaultCountry?: string | null;
}

const failed = (reason: string) =>
  new AccountsException(AccountsErrorCode.GOOGLE_SIGN_IN_FAILED, 'Google sign-in failed', {
    details: { reason },
  });

/**
 * Google sign-in through OpenID Connect (authorization code flow with PKCE and a nonce):
 * discovery of the issuer, the code exchanged at its token endpoint with the client secret,
 * the ID token verified against the issuer's JWKS (signature, `iss`, `aud`, `exp`, `nonce`),
 * and a verified email required. An identity is matched by Google's subject, then by email
 * (linking the two); a new one becomes an account with an organization when a name is given.
 */
@Injectable()
export class GoogleSignInService {
  private readonly logger = new Logger(GoogleSignInService.name);
  private discovery?: Promise<Discovery>;
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  private readonly states: OidcStateSealer;

  constructor(
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly identity: IdentityService,
  ) {
    this.states = new OidcStateSealer(config.SIGNING_KEY_ENCRYPTION_KEY);
  }

  /** The URL to send the browser to, and the state the web app keeps until the callback. */
  async start(): Promise<{ url: string; state: string }> {
    this.requireEnabled();
    const discovery = await this.discover();
    const { state, payload } = this.states.create(this.clock.now());
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: this.config.GOOGLE_CLIENT_ID!,
      redirect_uri: this.config.GOOGLE_REDIRECT_URI!,
      response_type: 'code',
      scope: 'openid email profile',
      state,
      nonce: payload.nonce,
      code_challenge: createHash('sha256').update(payload.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    return { url: url.toString(), state };
  }

  async complete(input: GoogleSignInInput): Promise<AuthResult> {
    this.requireEnabled();
    const state = this.states.open(input.state ?? '', this.clock.now());
    if (!state) throw failed('invalid_state');
    if (!input.code) throw failed('missing_code');
    const claims = await this.verifiedClaims(input.code, state.codeVerifier, state.nonce);
    const email = normalizeEmail(claims.email);
    const bySubject = await this.users.findByGoogleSubject(claims.sub);
    if (bySubject)
      return this.identity.openSessionFor(bySubject, input.organizationSlug ?? undefined, {
        method: 'google',
      });
    const byEmail = await this.users.findByEmail(email);
    if (byEmail) {
      if (byEmail.googleSubject && byEmail.googleSubject !== claims.sub)
        throw failed('email_linked_to_another_google_account');
      await this.users.linkGoogle(byEmail.id, claims.sub);
      return this.identity.openSessionFor(byEmail, input.organizationSlug ?? undefined, {
        method: 'google',
      });
    }
    if (!input.organizationName) {
      throw new AccountsException(
        AccountsErrorCode.NO_ORGANIZATION,
        'No account for this Google identity yet: sign up with an organization name',
      );
    }
    return this.identity.signUpWithGoogle({
      email,
      googleSubject: claims.sub,
      displayName: claims.name,
      organizationName: input.organizationName,
      organizationSlug: input.organizationSlug,
      timezone: input.timezone,
      defaultCountry: input.defaultCountry,
    });
  }

  private async verifiedClaims(
    code: string,
    codeVerifier: string,
    nonce: string,
  ): Promise<{ sub: string; email: string; name: string }> {
    const discovery = await this.discover();
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.config.GOOGLE_REDIRECT_URI!,
      code_verifier: codeVerifier,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const methods = discovery.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    if (methods.includes('client_secret_basic')) {
      const id = encodeURIComponent(this.config.GOOGLE_CLIENT_ID!);
      const secret = encodeURIComponent(this.config.GOOGLE_CLIENT_SECRET!);
      headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    } else {
      body.set('client_id', this.config.GOOGLE_CLIENT_ID!);
      body.set('client_secret', this.config.GOOGLE_CLIENT_SECRET!);
    }
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const tokens = (await response.json().catch(() => ({}))) as {
      id_token?: string;
      error?: string;
    };
    if (!response.ok || !tokens.id_token) {
      this.logger.warn({
        msg: 'Google code exchange refused',
        status: response.status,
        error: tokens.error,
      });
      throw failed('code_exchange_refused');
    }
    let payload: JWTPayload;
    try {
      this.jwks ??= createRemoteJWKSet(new URL(discovery.jwks_uri));
      ({ payload } = await jwtVerify(tokens.id_token, this.jwks, {
        issuer: discovery.issuer,
        audience: this.config.GOOGLE_CLIENT_ID!,
        algorithms: ['RS256', 'ES256', 'PS256'],
        currentDate: this.clock.now(),
        clockTolerance: 5,
      }));
    } catch (error) {
      this.logger.warn({ msg: 'Google ID token refused', reason: (error as Error).message });
      throw failed('invalid_id_token');
    }
    if (payload.nonce !== nonce) throw failed('nonce_mismatch');
    if (
      Array.isArray(payload.aud) &&
      payload.aud.length > 1 &&
      payload.azp !== this.config.GOOGLE_CLIENT_ID
    ) {
      throw failed('wrong_authorized_party');
    }
    const emailVerified = payload.email_verified === true || payload.email_verified === 'true';
    if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !emailVerified) {
      throw failed('email_not_verified');
    }
    return {
      sub: payload.sub,
      email: payload.email,
      name: typeof payload.name === 'string' ? payload.name : '',
    };
  }

  private discover(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const issuer = this.config.GOOGLE_OIDC_ISSUER.replace(/\/$/, '');
      const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`OIDC discovery failed: ${response.status}`);
      const discovery = (await response.json()) as Discovery;
      if (discovery.issuer.replace(/\/$/, '') !== issuer)
        throw new Error('OIDC discovery: issuer mismatch');
      return discovery;
    })().catch((error: unknown) => {
      this.discovery = undefined;
      this.logger.error({ msg: 'OIDC discovery failed', err: error });
      throw new AccountsException(
        AccountsErrorCode.GOOGLE_SIGN_IN_FAILED,
        'Google sign-in is unavailable',
        {
          details: { reason: 'discovery_failed' },
        },
      );
    });
    return this.discovery;
  }

  private requireEnabled(): void {
    if (!googleSignInEnabled(this.config)) {
      throw new AccountsException(
        AccountsErrorCode.GOOGLE_SIGN_IN_DISABLED,
        'Google sign-in is not configured',
      );
    }
  }
}
