/** `POST /api/v1/webhooks/{id}/test` (scope `webhooks:manage`). */
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { ENDPOINT_DISABLED, ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { EndpointIdParamsDto } from '../shared/endpoint-params.dto';
import { SendTestEventHandler } from './send-test-event.handler';
import { TestEventResponseDto } from './send-test-event.response.dto';

@PublicApi()
@Controller('api/v1/webhooks')
export class SendTestEventHttpController {
  constructor(private readonly handler: SendTestEventHandler) {}

  /**
   * Send a test event
   *
   * @remarks Sends a `webhook.test` event to this endpoint only, whatever it subscribes to, signed
   * and retried like any other delivery. Accepted once the event is durably queued; its delivery
   * then shows in the endpoint's delivery log.
   */
  @Post(':id/test')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: TestEventResponseDto, description: 'Accepted' })
  @ApiErrors(ENDPOINT_NOT_FOUND, ENDPOINT_DISABLED)
  @RequireScopes('webhooks:manage')
  sendTestEvent(
    @Caller() caller: ApiCaller,
    @Param() params: EndpointIdParamsDto,
  ): Promise<TestEventResponseDto> {
    return this.handler.execute(caller.tenant, params.id);
  }
}
