/** `POST /api/v1/webhooks/{id}/test` (scope `webhooks:manage`). */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { WebhookDeliveryResponseDto } from '../../deliveries/shared/delivery.response.dto';
import { ENDPOINT_DISABLED, ENDPOINT_NOT_FOUND, INVALID_TEST_EVENT } from '../../webhook-errors';
import { EndpointIdParamsDto } from '../shared/endpoint-params.dto';
import { SendTestEventHandler } from './send-test-event.handler';
import { SendTestEventRequestDto } from './send-test-event.request.dto';

@PublicApi()
@Controller('api/v1/webhooks')
export class SendTestEventHttpController {
  constructor(private readonly handler: SendTestEventHandler) {}

  /**
   * Send a test event
   *
   * @remarks Sends an event to this endpoint only, whatever it subscribes to: `webhook.test` (with
   * the fields of `data` besides its own), or any type of the catalogue with `data` as its data.
   * Signed, retried and logged like any other delivery; the answer is that delivery, due now, so
   * its progress can be followed in the endpoint's delivery log.
   */
  @Post(':id/test')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto, description: 'Accepted' })
  @ApiBody({ type: SendTestEventRequestDto, required: false })
  @ApiErrors(ENDPOINT_NOT_FOUND, ENDPOINT_DISABLED, INVALID_TEST_EVENT)
  @RequireScopes('webhooks:manage')
  sendTestEvent(
    @Caller() caller: ApiCaller,
    @Param() params: EndpointIdParamsDto,
    @Body() body: SendTestEventRequestDto,
  ): Promise<WebhookDeliveryResponseDto> {
    return this.handler.execute(caller.tenant, params.id, body ?? {});
  }
}
