/** `GET /api/v1/keys/{id}/usage` (scope `keys:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { API_KEY_NOT_FOUND } from '../key-errors';
import { KeyIdParamsDto } from '../shared/key-id-params.dto';
import { GetKeyUsageQuery } from './get-key-usage.query';
import { KeyUsageResponseDto } from './key-usage.response.dto';

@PublicApi()
@Controller('api/v1/keys')
export class GetKeyUsageHttpController {
  constructor(private readonly query: GetKeyUsageQuery) {}

  /**
   * Get an API key's usage
   *
   * @remarks Requests made with the key and those answered with an error (status 400 or more, the
   * guard's refusals included), per UTC hour over the last 24 hours: 24 buckets, oldest first, hours
   * without requests at 0. Gateways write their counts every few seconds, so the latest requests may
   * not be counted yet.
   */
  @Get(':id/usage')
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: KeyUsageResponseDto })
  @ApiErrors(API_KEY_NOT_FOUND)
  @RequireScopes('keys:read')
  getKeyUsage(@Caller() caller: ApiCaller, @Param() params: KeyIdParamsDto): Promise<KeyUsageResponseDto> {
    return this.query.execute(caller.tenant, params.id);
  }
}
