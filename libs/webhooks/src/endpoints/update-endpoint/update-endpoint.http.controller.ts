/** `PATCH /api/v1/webhooks/{id}` (scope `webhooks:manage`). */
import { Body, Controller, Param, Patch } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiExtraModels } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { ENDPOINT_NOT_FOUND, INVALID_ENDPOINT } from '../../webhook-errors';
import { keyActor } from '../shared/actor';
import { EndpointIdParamsDto } from '../shared/endpoint-params.dto';
import { WebhookEndpointResponseDto } from '../shared/endpoint.response.dto';
import { UpdateEndpointHandler } from './update-endpoint.handler';
import { UpdateWebhookRequestDto } from './update-endpoint.request.dto';

@PublicApi()
@Controller('api/v1/webhooks')
export class UpdateEndpointHttpController {
  constructor(private readonly handler: UpdateEndpointHandler) {}

  /**
   * Change an endpoint
   *
   * @remarks Changes the fields sent (url, label, events, filters, active, signing_scheme), checked as
   * at registration (422 `invalid_endpoint`). `active: false` disables the endpoint; `active: true`
   * re-enables it. Moving to or from `standard-webhooks-ed25519` needs a new key: use
   * `rotate-secret` with `signing_scheme`.
   */
  @Patch(':id')
  // Listed as an extra model too: @nestjs/swagger places `type` of an enum property
  // differently on a DTO's first scan than on later ones, and a DTO seen twice per scan is
  // described the same by every scan (the document must be byte-identical each time).
  @ApiExtraModels(UpdateWebhookRequestDto)
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  // No body (or `{}`) changes nothing and answers the endpoint as it is.
  @ApiBody({ type: UpdateWebhookRequestDto, required: false })
  @ApiErrors(ENDPOINT_NOT_FOUND, INVALID_ENDPOINT)
  @RequireScopes('webhooks:manage')
  updateWebhook(
    @Caller() caller: ApiCaller,
    @Param() params: EndpointIdParamsDto,
    @Body() body: UpdateWebhookRequestDto,
  ): Promise<WebhookEndpointResponseDto> {
    // A body-less PATCH arrives as no body at all.
    return this.handler.execute(keyActor(caller), params.id, body ?? {});
  }
}
