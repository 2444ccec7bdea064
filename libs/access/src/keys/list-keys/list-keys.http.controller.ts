/** `GET /api/v1/keys` (scope `keys:read`). */
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, Enveloped, PublicApi, RequireScopes } from '@herald/platform';
import { ApiKeyResponseDto } from '../shared/api-key.response.dto';
import { ListKeysQuery } from './list-keys.query';
import { ListKeysRequestDto } from './list-keys.request.dto';

@PublicApi()
@Controller('api/v1/keys')
export class ListKeysHttpController {
  constructor(private readonly query: ListKeysQuery) {}

  /**
   * List API keys
   *
   * @remarks The tenant's keys, oldest first (`order=desc`: newest first), revoked and expired ones
   * included unless `status` says otherwise, each with its usage of the last 24 hours. Never the keys
   * themselves: only their display prefix.
   */
  @Get()
  @ApiOkResponse({ type: ApiKeyResponseDto, isArray: true })
  @RequireScopes('keys:read')
  async listKeys(
    @Caller() caller: ApiCaller,
    @Query() params: ListKeysRequestDto,
  ): Promise<Enveloped<ApiKeyResponseDto[]>> {
    const page = await this.query.execute(caller.tenant, params);
    return new Enveloped(page.items, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
