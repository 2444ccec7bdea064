/** `POST /api/v1/clients` (scope `keys:manage`). */
import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { OAuthClientWithSecretResponseDto } from '../shared/oauth-client.response.dto';
import { CreateClientHandler } from './create-client.handler';
import { CreateOAuthClientRequestDto } from './create-client.request.dto';

@PublicApi()
@Controller('api/v1/clients')
export class CreateClientHttpController {
  constructor(private readonly handler: CreateClientHandler) {}

  /**
   * Create an OAuth client
   *
   * @remarks The answer carries the new `client_id` and `client_secret`, the secret shown this once:
   * store it now, no later call returns it (only its SHA-256 is kept). The client trades them for
   * access tokens at `POST /oauth/token`. The caller can grant only scopes it holds itself; asking for
   * more is a 403 `insufficient_scope` whose `details.missing_scopes` names them, and nothing is
   * created. A test-mode key cannot create clients (their tokens are live): 403 `insufficient_scope`.
   * A body that does not fit the schema is a 400 `bad_request`. Recorded in the audit log as
   * `oauth_client.created`.
   */
  @Post()
  // Listed as an extra model too, as the key create body is, so every scan describes it the same.
  @ApiExtraModels(CreateOAuthClientRequestDto)
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiCreatedResponse({ type: OAuthClientWithSecretResponseDto })
  @RequireScopes('keys:manage')
  createClient(
    @Caller() caller: ApiCaller,
    @Body() body: CreateOAuthClientRequestDto,
  ): Promise<OAuthClientWithSecretResponseDto> {
    return this.handler.execute(caller, body);
  }
}
