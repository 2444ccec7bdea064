/** `GET /api/v1/webhooks/health` (scope `webhooks:read`). */
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { WebhookHealthResponseDto } from '../shared/health.response.dto';
import { WebhookHealthQuery } from './webhook-health.query';

@PublicApi()
@Controller('api/v1/webhooks')
export class WebhookHealthHttpController {
  constructor(private readonly query: WebhookHealthQuery) {}

  /**
   * Get the webhook health summary
   *
   * @remarks The tenant's deliveries of the last 24 hours, its oldest pending delivery, its
   * disabled endpoints and each endpoint's breaker, with a colour: `red` when an endpoint was
   * disabled by Herald (410 Gone or the auto-disable threshold), under 90 % of attempted deliveries
   * succeeded or a delivery has been pending for over an hour; `green` when at least 99 % succeeded
   * (or none was attempted), nothing has been pending for 5 minutes and no breaker is open;
   * `amber` otherwise.
   */
  @Get('health')
  @ApiOkResponse({ type: WebhookHealthResponseDto })
  @RequireScopes('webhooks:read')
  getWebhookHealth(@Caller() caller: ApiCaller): Promise<WebhookHealthResponseDto> {
    return this.query.execute(caller.tenant);
  }
}
