import { Controller, Get, Query } from '@nestjs/common';
import { Public } from '@switchboard/auth';
import { InstallService, type InstallOutcome } from './install.service';

/**
 * `GET /ghl/oauth/callback?code=…&state=…`: where GHL sends the installer back. No session:
 * the signed state names the organization. Thin: one service call.
 */
@Public()
@Controller('ghl/oauth')
export class OAuthController {
  constructor(private readonly installs: InstallService) {}

  @Get('callback')
  async callback(
    @Query('code') code: string | undefined,
    @Query('state') state: string | undefined,
  ): Promise<{ installed: true; companyId: string; locations: number }> {
    const outcome: InstallOutcome = await this.installs.completeInstall(code, state);
    return { installed: true, companyId: outcome.companyId, locations: outcome.locationIds.length };
  }
}
