import {
  Controller,
  ForbiddenException,
  Headers,
  HttpCode,
  Inject,
  Post,
  Res,
} from '@nestjs/common';
import { Public } from '@switchboard/auth';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { safeEqual } from '../domain/opaque-token';
import { ApiTokensService } from './api-tokens.service';

interface HeaderSettable {
  setHeader(name: string, value: string): void;
}

/**
 * `POST /internal/token-exchange`, for the gateway only: `x-internal-secret: <INTERNAL_API_SECRET>`
 * and `Authorization: Bearer sbk_…` → 200 `{ accessToken, expiresIn, tokenType }` (a JWT of kind
 * `api_token`, at most 5 minutes), 401 for an unknown, revoked or expired token, 403 without the
 * right internal secret. Errors are RFC 9457 problem details.
 */
@Public()
@Controller('internal')
export class TokenExchangeController {
  constructor(
    private readonly apiTokens: ApiTokensService,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
  ) {}

  @Post('token-exchange')
  @HttpCode(200)
  async exchange(
    @Headers('x-internal-secret') secret: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: HeaderSettable,
  ): Promise<{ accessToken: string; expiresIn: number; tokenType: 'Bearer' }> {
    if (!secret || !safeEqual(secret, this.config.INTERNAL_API_SECRET)) {
      throw new ForbiddenException('Internal endpoint');
    }
    res.setHeader('Cache-Control', 'no-store');
    const token = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1] ?? '';
    const issued = await this.apiTokens.exchange(token);
    return { accessToken: issued.accessToken, expiresIn: issued.expiresIn, tokenType: 'Bearer' };
  }
}
