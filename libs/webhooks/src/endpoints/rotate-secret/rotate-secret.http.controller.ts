/** `POST /api/v1/webhooks/{id}/rotate-secret` (scope `webhooks:manage`). */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiExtraModels } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { keyActor } from '../shared/actor';
import { EndpointIdParamsDto } from '../shared/endpoint-params.dto';
import { WebhookEndpointWithSecretResponseDto } from '../shared/endpoint.response.dto';
import { RotateSecretHandler } from './rotate-secret.handler';
import { RotateSecretRequestDto } from './rotate-secret.request.dto';

@PublicApi()
@Controller('api/v1/webhooks')
export class RotateSecretHttpController {
  constructor(private readonly handler: RotateSecretHandler) {}

  /**
   * Rotate the signing secret
   *
   * @remarks Mints a new signing secret, returned this once as `secret`. The previous one keeps
   * signing (`v1_prev`) until `previous_secret_expires_at`, then it is purged; `grace_seconds: 0`
   * purges it at once. A rotation during a running grace window replaces the secret kept from the
   * earlier one.
   */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  // Listed as an extra model too: @nestjs/swagger places `type` of an enum property
  // differently on a DTO's first scan than on later ones, and a DTO seen twice per scan is
  // described the same by every scan (the document must be byte-identical each time).
  @ApiExtraModels(RotateSecretRequestDto)
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: WebhookEndpointWithSecretResponseDto })
  // Every field has a default, so the body may be left out.
  @ApiBody({ type: RotateSecretRequestDto, required: false })
  @ApiErrors(ENDPOINT_NOT_FOUND)
  @RequireScopes('webhooks:manage')
  rotateSecret(
    @Caller() caller: ApiCaller,
    @Param() params: EndpointIdParamsDto,
    @Body() body: RotateSecretRequestDto,
  ): Promise<WebhookEndpointWithSecretResponseDto> {
    // A body-less POST arrives as no body at all.
    return this.handler.execute(keyActor(caller), params.id, body ?? {});
  }
}
