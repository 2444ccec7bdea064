/** `POST /api/v1/webhooks` (scope `webhooks:manage`). */
import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { INVALID_ENDPOINT } from '../../webhook-errors';
import { keyActor } from '../shared/actor';
import { WebhookEndpointWithSecretResponseDto } from '../shared/endpoint.response.dto';
import { CreateEndpointHandler } from './create-endpoint.handler';
import { CreateWebhookRequestDto } from './create-endpoint.request.dto';

@PublicApi()
@Controller('api/v1/webhooks')
export class CreateEndpointHttpController {
  constructor(private readonly handler: CreateEndpointHandler) {}

  /**
   * Register an endpoint
   *
   * @remarks The answer carries the endpoint's signing `secret`, shown this once: store it now, no
   * later call returns it. A body that does not fit the schema is a 400 `bad_request`; one that
   * fits but cannot be accepted (URL, event types, filters) is a 422 `invalid_endpoint` whose
   * `details` list every problem as `{field, reason}`.
   */
  @Post()
  // Listed as an extra model too: @nestjs/swagger places `type` of an enum property
  // differently on a DTO's first scan than on later ones, and a DTO seen twice per scan is
  // described the same by every scan (the document must be byte-identical each time).
  @ApiExtraModels(CreateWebhookRequestDto)
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretResponseDto })
  @ApiErrors(INVALID_ENDPOINT)
  @RequireScopes('webhooks:manage')
  createWebhook(
    @Caller() caller: ApiCaller,
    @Body() body: CreateWebhookRequestDto,
  ): Promise<WebhookEndpointWithSecretResponseDto> {
    return this.handler.execute(keyActor(caller), body);
  }
}
