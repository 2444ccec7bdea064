/** `GET /api/v1/webhooks` (scope `webhooks:read`). */
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, Enveloped, PublicApi, RequireScopes } from '@herald/platform';
import { WebhookEndpointResponseDto } from '../shared/endpoint.response.dto';
import { ListEndpointsQuery } from './list-endpoints.query';
import { ListWebhooksRequestDto } from './list-endpoints.request.dto';

@PublicApi()
@Controller('api/v1/webhooks')
export class ListEndpointsHttpController {
  constructor(private readonly query: ListEndpointsQuery) {}

  /**
   * List endpoints
   *
   * @remarks The tenant's endpoints, oldest first (`order=desc`: newest first), never with their secrets.
   */
  @Get()
  @ApiOkResponse({ type: WebhookEndpointResponseDto, isArray: true })
  @RequireScopes('webhooks:read')
  async listWebhooks(
    @Caller() caller: ApiCaller,
    @Query() params: ListWebhooksRequestDto,
  ): Promise<Enveloped<WebhookEndpointResponseDto[]>> {
    const page = await this.query.execute(caller.tenant, params);
    return new Enveloped(page.items, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
