/** `GET /api/v1/clients/{id}` (scope `keys:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { OAUTH_CLIENT_NOT_FOUND } from '../client-errors';
import { ClientIdParamsDto } from '../shared/client-id-params.dto';
import { OAuthClientResponseDto } from '../shared/oauth-client.response.dto';
import { GetClientQuery } from './get-client.query';

@PublicApi()
@Controller('api/v1/clients')
export class GetClientHttpController {
  constructor(private readonly query: GetClientQuery) {}

  /**
   * Get an OAuth client
   *
   * @remarks One client with the usage of its tokens over the last 24 hours; never its secret, which
   * only the create call returns.
   */
  @Get(':id')
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: OAuthClientResponseDto })
  @ApiErrors(OAUTH_CLIENT_NOT_FOUND)
  @RequireScopes('keys:read')
  getClient(
    @Caller() caller: ApiCaller,
    @Param() params: ClientIdParamsDto,
  ): Promise<OAuthClientResponseDto> {
    return this.query.execute(caller.tenant, params.id);
  }
}
