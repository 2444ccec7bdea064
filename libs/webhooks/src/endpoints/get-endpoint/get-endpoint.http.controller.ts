/** `GET /api/v1/webhooks/{id}` (scope `webhooks:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { EndpointIdParamsDto } from '../shared/endpoint-params.dto';
import { WebhookEndpointResponseDto } from '../shared/endpoint.response.dto';
import { GetEndpointQuery } from './get-endpoint.query';

@PublicApi()
@Controller('api/v1/webhooks')
export class GetEndpointHttpController {
  constructor(private readonly query: GetEndpointQuery) {}

  /**
   * Get an endpoint
   *
   * @remarks One endpoint, never with its secret.
   */
  @Get(':id')
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  @ApiErrors(ENDPOINT_NOT_FOUND)
  @RequireScopes('webhooks:read')
  getWebhook(
    @Caller() caller: ApiCaller,
    @Param() params: EndpointIdParamsDto,
  ): Promise<WebhookEndpointResponseDto> {
    return this.query.execute(caller.tenant, params.id);
  }
}
