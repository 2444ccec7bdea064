/** `GET /api/v1/webhooks/deliveries/{delivery_id}/payload` (scope `webhooks:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { DELIVERY_NOT_FOUND } from '../../webhook-errors';
import { DeliveryIdParamsDto } from '../shared/delivery-params.dto';
import { WebhookDeliveryPayloadResponseDto } from '../shared/delivery.response.dto';
import { GetDeliveryPayloadQuery } from './get-delivery-payload.query';

@PublicApi()
@Controller('api/v1/webhooks/deliveries')
export class GetDeliveryPayloadHttpController {
  constructor(private readonly query: GetDeliveryPayloadQuery) {}

  /**
   * Get a delivery's payload
   *
   * @remarks The exact request body a delivery sends: the bytes every attempt's signature covers
   * (test events included, which the event feed does not keep). With an attempt's
   * `request_headers` it is everything needed to check a signature by hand.
   */
  @Get(':delivery_id/payload')
  @ApiErrors(DELIVERY_NOT_FOUND)
  @RequireScopes('webhooks:read')
  getDeliveryPayload(
    @Caller() caller: ApiCaller,
    @Param() params: DeliveryIdParamsDto,
  ): Promise<WebhookDeliveryPayloadResponseDto> {
    return this.query.execute(caller.tenant, params.delivery_id);
  }
}
