/** `GET /api/v1/clients` (scope `keys:read`). */
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, Enveloped, PublicApi, RequireScopes } from '@herald/platform';
import { OAuthClientResponseDto } from '../shared/oauth-client.response.dto';
import { ListClientsQuery } from './list-clients.query';
import { ListClientsRequestDto } from './list-clients.request.dto';

@PublicApi()
@Controller('api/v1/clients')
export class ListClientsHttpController {
  constructor(private readonly query: ListClientsQuery) {}

  /**
   * List OAuth clients
   *
   * @remarks The tenant's OAuth clients, oldest first (`order=desc`: newest first), revoked ones
   * included unless `status` says otherwise, each with the usage of its tokens over the last 24 hours.
   * Never the secrets: only their display prefix.
   */
  @Get()
  @ApiOkResponse({ type: OAuthClientResponseDto, isArray: true })
  @RequireScopes('keys:read')
  async listClients(
    @Caller() caller: ApiCaller,
    @Query() params: ListClientsRequestDto,
  ): Promise<Enveloped<OAuthClientResponseDto[]>> {
    const page = await this.query.execute(caller.tenant, params);
    return new Enveloped(page.items, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
