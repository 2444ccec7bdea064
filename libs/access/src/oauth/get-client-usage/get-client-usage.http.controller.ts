/** `GET /api/v1/clients/{id}/usage` (scope `keys:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { OAUTH_CLIENT_NOT_FOUND } from '../client-errors';
import { ClientIdParamsDto } from '../shared/client-id-params.dto';
import { ClientUsageResponseDto } from './client-usage.response.dto';
import { GetClientUsageQuery } from './get-client-usage.query';

@PublicApi()
@Controller('api/v1/clients')
export class GetClientUsageHttpController {
  constructor(private readonly query: GetClientUsageQuery) {}

  /**
   * Get an OAuth client's usage
   *
   * @remarks Requests made with the client's access tokens and those answered with an error (status
   * 400 or more, the guard's refusals included), per UTC hour over the last 24 hours: 24 buckets,
   * oldest first, hours without requests at 0. Gateways write their counts every few seconds, so the
   * latest requests may not be counted yet. Token requests at `POST /oauth/token` are not counted.
   */
  @Get(':id/usage')
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: ClientUsageResponseDto })
  @ApiErrors(OAUTH_CLIENT_NOT_FOUND)
  @RequireScopes('keys:read')
  getClientUsage(
    @Caller() caller: ApiCaller,
    @Param() params: ClientIdParamsDto,
  ): Promise<ClientUsageResponseDto> {
    return this.query.execute(caller.tenant, params.id);
  }
}
