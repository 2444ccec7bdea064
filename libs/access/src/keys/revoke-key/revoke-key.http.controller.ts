/** `POST /api/v1/keys/{id}/revoke` (scope `keys:manage`). */
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { API_KEY_NOT_FOUND } from '../key-errors';
import { ApiKeyResponseDto } from '../shared/api-key.response.dto';
import { KeyIdParamsDto } from '../shared/key-id-params.dto';
import { RevokeKeyHandler } from './revoke-key.handler';

@PublicApi()
@Controller('api/v1/keys')
export class RevokeKeyHttpController {
  constructor(private readonly handler: RevokeKeyHandler) {}

  /**
   * Revoke an API key
   *
   * @remarks Answers the revoked key once every running gateway refuses it: the next request made with
   * it gets a 401 `invalid_api_key`. Revoking a revoked key is safe to retry: it changes nothing and
   * answers the key with its original `revoked_at`. A key may revoke itself. Recorded in the audit log
   * as `api_key.revoked` (once).
   */
  @Post(':id/revoke')
  @HttpCode(200)
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiErrors(API_KEY_NOT_FOUND)
  @RequireScopes('keys:manage')
  revokeKey(@Caller() caller: ApiCaller, @Param() params: KeyIdParamsDto): Promise<ApiKeyResponseDto> {
    return this.handler.execute(caller, params.id);
  }
}
