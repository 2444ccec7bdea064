/** `POST /api/v1/clients/{id}/revoke` (scope `keys:manage`). */
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { OAUTH_CLIENT_NOT_FOUND } from '../client-errors';
import { ClientIdParamsDto } from '../shared/client-id-params.dto';
import { OAuthClientResponseDto } from '../shared/oauth-client.response.dto';
import { RevokeClientHandler } from './revoke-client.handler';

@PublicApi()
@Controller('api/v1/clients')
export class RevokeClientHttpController {
  constructor(private readonly handler: RevokeClientHandler) {}

  /**
   * Revoke an OAuth client
   *
   * @remarks Deletes the client's access tokens and answers the revoked client once every running
   * gateway refuses them: the next request made with one gets a 401 `invalid_token`, and the token
   * endpoint answers its credentials with `invalid_client`. Revoking a revoked client is safe to
   * retry: it changes nothing and answers the client with its original `revoked_at`. Recorded in the
   * audit log as `oauth_client.revoked` (once).
   */
  @Post(':id/revoke')
  @HttpCode(200)
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: OAuthClientResponseDto })
  @ApiErrors(OAUTH_CLIENT_NOT_FOUND)
  @RequireScopes('keys:manage')
  revokeClient(
    @Caller() caller: ApiCaller,
    @Param() params: ClientIdParamsDto,
  ): Promise<OAuthClientResponseDto> {
    return this.handler.execute(caller, params.id);
  }
}
