/** `POST /api/v1/webhooks/deliveries/{delivery_id}/replay` (scope `webhooks:manage`). */
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { DELIVERY_NOT_FOUND, ENDPOINT_DISABLED } from '../../webhook-errors';
import { DeliveryIdParamsDto } from '../shared/delivery-params.dto';
import { WebhookDeliveryResponseDto } from '../shared/delivery.response.dto';
import { ReplayDeliveryHandler } from './replay-delivery.handler';

@PublicApi()
@Controller('api/v1/webhooks/deliveries')
export class ReplayDeliveryHttpController {
  constructor(private readonly handler: ReplayDeliveryHandler) {}

  /**
   * Replay a delivery
   *
   * @remarks Sends the delivery again, now. A succeeded, dead or cancelled delivery becomes `pending`
   * with a fresh run of attempts (as many as the retry schedule has) on top of those made; a pending
   * or retrying one is brought forward unless an attempt is under way. Answers with the delivery as
   * it now stands.
   */
  @Post(':delivery_id/replay')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto, description: 'Accepted' })
  @ApiErrors(DELIVERY_NOT_FOUND, ENDPOINT_DISABLED)
  @RequireScopes('webhooks:manage')
  replayDelivery(
    @Caller() caller: ApiCaller,
    @Param() params: DeliveryIdParamsDto,
  ): Promise<WebhookDeliveryResponseDto> {
    return this.handler.execute(caller.tenant, params.delivery_id);
  }
}
