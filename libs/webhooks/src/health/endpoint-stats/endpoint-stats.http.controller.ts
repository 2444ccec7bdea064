/** `GET /api/v1/webhooks/{id}/stats` (scope `webhooks:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { EndpointIdParamsDto } from '../../endpoints/shared/endpoint-params.dto';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import { EndpointHealthResponseDto } from '../shared/health.response.dto';
import { EndpointStatsQuery } from './endpoint-stats.query';

@PublicApi()
@Controller('api/v1/webhooks')
export class EndpointStatsHttpController {
  constructor(private readonly query: EndpointStatsQuery) {}

  /**
   * Get an endpoint's delivery figures
   *
   * @remarks The endpoint's circuit breaker, its deliveries of the last 24 hours by status and
   * their success rate, its latest attempt, its run of dead deliveries and its oldest pending
   * delivery: the figures of one entry of the health summary.
   */
  @Get(':id/stats')
  @ApiOkResponse({ type: EndpointHealthResponseDto })
  @ApiErrors(ENDPOINT_NOT_FOUND)
  @RequireScopes('webhooks:read')
  getEndpointStats(
    @Caller() caller: ApiCaller,
    @Param() params: EndpointIdParamsDto,
  ): Promise<EndpointHealthResponseDto> {
    return this.query.execute(caller.tenant, params.id);
  }
}
