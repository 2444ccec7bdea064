/** `GET /api/v1/webhooks/deliveries/{delivery_id}` (scope `webhooks:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { DELIVERY_NOT_FOUND } from '../../webhook-errors';
import { DeliveryIdParamsDto } from '../shared/delivery-params.dto';
import { WebhookDeliveryDetailResponseDto } from '../shared/delivery.response.dto';
import { GetDeliveryQuery } from './get-delivery.query';

@PublicApi()
@Controller('api/v1/webhooks/deliveries')
export class GetDeliveryHttpController {
  constructor(private readonly query: GetDeliveryQuery) {}

  /**
   * Get a delivery
   *
   * @remarks One delivery with every attempt, and `payload`: the exact request body it sends, the
   * bytes every attempt's signature covers (test events included, which the event feed does not
   * keep). With an attempt's `request_headers` it is everything needed to check a signature by hand.
   */
  @Get(':delivery_id')
  @ApiErrors(DELIVERY_NOT_FOUND)
  @RequireScopes('webhooks:read')
  getDelivery(
    @Caller() caller: ApiCaller,
    @Param() params: DeliveryIdParamsDto,
  ): Promise<WebhookDeliveryDetailResponseDto> {
    return this.query.execute(caller.tenant, params.delivery_id);
  }
}
