/** `GET /api/v1/webhooks/{id}/public-key` (scope `webhooks:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { ENDPOINT_NOT_FOUND, NO_PUBLIC_KEY } from '../../webhook-errors';
import { EndpointIdParamsDto } from '../shared/endpoint-params.dto';
import { GetPublicKeyQuery } from './get-public-key.query';
import { WebhookPublicKeyResponseDto } from './get-public-key.response.dto';

@PublicApi()
@Controller('api/v1/webhooks')
export class GetPublicKeyHttpController {
  constructor(private readonly query: GetPublicKeyQuery) {}

  /**
   * Get the endpoint's public key
   *
   * @remarks The Ed25519 public key that verifies the `v1a,` signatures of a
   * `standard-webhooks-ed25519` endpoint (`whpk_` + base64, the Standard Webhooks format),
   * and during a rotation's grace window the previous one. Endpoints of the HMAC schemes
   * have none: 409 `no_public_key`.
   */
  @Get(':id/public-key')
  // Listed as an extra model too, as in rotate-secret: @nestjs/swagger places `type` of an
  // enum property differently on a DTO's first scan than on later ones.
  @ApiExtraModels(WebhookPublicKeyResponseDto)
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: WebhookPublicKeyResponseDto })
  @ApiErrors(ENDPOINT_NOT_FOUND, NO_PUBLIC_KEY)
  @RequireScopes('webhooks:read')
  getPublicKey(
    @Caller() caller: ApiCaller,
    @Param() params: EndpointIdParamsDto,
  ): Promise<WebhookPublicKeyResponseDto> {
    return this.query.execute(caller.tenant, params.id);
  }
}
