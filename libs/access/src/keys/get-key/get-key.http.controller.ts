/** `GET /api/v1/keys/{id}` (scope `keys:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { API_KEY_NOT_FOUND } from '../key-errors';
import { KeyIdParamsDto } from '../shared/key-id-params.dto';
import { ApiKeyResponseDto } from '../shared/api-key.response.dto';
import { GetKeyQuery } from './get-key.query';

@PublicApi()
@Controller('api/v1/keys')
export class GetKeyHttpController {
  constructor(private readonly query: GetKeyQuery) {}

  /**
   * Get an API key
   *
   * @remarks One key with its usage of the last 24 hours; never the key itself, which only the create
   * call returns.
   */
  @Get(':id')
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiErrors(API_KEY_NOT_FOUND)
  @RequireScopes('keys:read')
  getKey(@Caller() caller: ApiCaller, @Param() params: KeyIdParamsDto): Promise<ApiKeyResponseDto> {
    return this.query.execute(caller.tenant, params.id);
  }
}
