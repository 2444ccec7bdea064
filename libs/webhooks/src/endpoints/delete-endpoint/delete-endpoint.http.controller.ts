/** `DELETE /api/v1/webhooks/{id}` (scope `webhooks:manage`). */
import { Controller, Delete, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { keyActor } from '../shared/actor';
import { EndpointIdParamsDto } from '../shared/endpoint-params.dto';
import { DeleteEndpointHandler } from './delete-endpoint.handler';
import { DeletedWebhookResponseDto } from './delete-endpoint.response.dto';

@PublicApi()
@Controller('api/v1/webhooks')
export class DeleteEndpointHttpController {
  constructor(private readonly handler: DeleteEndpointHandler) {}

  /**
   * Delete an endpoint
   *
   * @remarks Deletes the endpoint with its delivery log. Nothing more is sent to it, pending retries included.
   */
  @Delete(':id')
  // Explicit, so the response keeps its plain description (the plugin would copy the remarks into it).
  @ApiOkResponse({ type: DeletedWebhookResponseDto })
  @ApiErrors(ENDPOINT_NOT_FOUND)
  @RequireScopes('webhooks:manage')
  deleteWebhook(
    @Caller() caller: ApiCaller,
    @Param() params: EndpointIdParamsDto,
  ): Promise<DeletedWebhookResponseDto> {
    return this.handler.execute(keyActor(caller), params.id);
  }
}
