/** `POST /api/v1/keys` (scope `keys:manage`). */
import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { INVALID_API_KEY_INPUT } from '../key-errors';
import { ApiKeyWithSecretResponseDto } from '../shared/api-key.response.dto';
import { CreateKeyHandler } from './create-key.handler';
import { CreateApiKeyRequestDto } from './create-key.request.dto';

@PublicApi()
@Controller('api/v1/keys')
export class CreateKeyHttpController {
  constructor(private readonly handler: CreateKeyHandler) {}

  /**
   * Create an API key
   *
   * @remarks The answer carries the new `key`, shown this once: store it now, no later call returns it
   * (only its SHA-256 is kept). The calling key can grant only scopes it holds itself; asking for more
   * is a 403 `insufficient_scope` whose `details.missing_scopes` names them, and nothing is created. A
   * body that does not fit the schema is a 400 `bad_request`; an expiry that is not in the future is a
   * 422 `invalid_api_key_input`. Recorded in the audit log as `api_key.created`.
   */
  @Post()
  // Listed as an extra model too: @nestjs/swagger places `type` of an enum property
  // differently on a DTO's first scan than on later ones, and a DTO seen twice per scan is
  // described the same by every scan (the document must be byte-identical each time).
  @ApiExtraModels(CreateApiKeyRequestDto)
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiCreatedResponse({ type: ApiKeyWithSecretResponseDto })
  @ApiErrors(INVALID_API_KEY_INPUT)
  @RequireScopes('keys:manage')
  createKey(
    @Caller() caller: ApiCaller,
    @Body() body: CreateApiKeyRequestDto,
  ): Promise<ApiKeyWithSecretResponseDto> {
    return this.handler.execute(caller, body);
  }
}
