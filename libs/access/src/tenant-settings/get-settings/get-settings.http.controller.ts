/** `GET /api/v1/settings` (scope `settings:read`). */
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { TenantSettingsResponseDto } from '../shared/settings.response.dto';
import { GetSettingsQuery } from './get-settings.query';

@PublicApi()
@Controller('api/v1/settings')
export class GetSettingsHttpController {
  constructor(private readonly query: GetSettingsQuery) {}

  /**
   * Get the tenant's settings
   *
   * @remarks Webhook delivery (retry schedule, attempt timeout, auto-disable threshold) and the
   * rate limit and daily quota of API keys that have none of their own.
   */
  @Get()
  @ApiOkResponse({ type: TenantSettingsResponseDto })
  @RequireScopes('settings:read')
  getSettings(@Caller() caller: ApiCaller): Promise<TenantSettingsResponseDto> {
    return this.query.execute(caller.tenant);
  }
}
