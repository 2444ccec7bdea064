/** `GET /api/v1/webhooks/{id}/deliveries` (scope `webhooks:read`). */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, Enveloped, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { EndpointIdParamsDto } from '../../endpoints/shared/endpoint-params.dto';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { WebhookDeliveryResponseDto } from '../shared/delivery.response.dto';
import { ListDeliveriesQuery } from './list-deliveries.query';
import { ListDeliveriesRequestDto } from './list-deliveries.request.dto';

@PublicApi()
@Controller('api/v1/webhooks')
export class ListDeliveriesHttpController {
  constructor(private readonly query: ListDeliveriesQuery) {}

  /**
   * List an endpoint's deliveries
   *
   * @remarks The endpoint's delivery log, each delivery with all its attempts: oldest first, like
   * every list (`order=desc` for the newest first, as a log viewer wants), optionally only those in
   * one `status`.
   */
  @Get(':id/deliveries')
  @ApiOkResponse({ type: WebhookDeliveryResponseDto, isArray: true })
  @ApiErrors(ENDPOINT_NOT_FOUND)
  @RequireScopes('webhooks:read')
  async listDeliveries(
    @Caller() caller: ApiCaller,
    @Param() params: EndpointIdParamsDto,
    @Query() query: ListDeliveriesRequestDto,
  ): Promise<Enveloped<WebhookDeliveryResponseDto[]>> {
    const page = await this.query.execute(caller.tenant, params.id, query);
    return new Enveloped(page.items, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
