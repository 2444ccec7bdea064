/** `GET /api/v1/events/{id}` (scope `events:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, CachedRead, Caller, PublicApi, RawJson, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { PublicEventResponseDto } from '../shared/public-event.response.dto';
import { EVENT_NOT_FOUND } from '../shared/query-errors';
import { GetEventQuery } from './get-event.query';
import { GetEventParamsDto } from './get-event.request.dto';

@PublicApi()
@Controller('api/v1/events')
export class GetEventHttpController {
  constructor(private readonly query: GetEventQuery) {}

  @Get(':id')
  @CachedRead()
  @ApiOkResponse({ type: PublicEventResponseDto })
  @ApiErrors(EVENT_NOT_FOUND)
  @RequireScopes('events:read')
  getEvent(@Caller() caller: ApiCaller, @Param() params: GetEventParamsDto): Promise<RawJson> {
    return this.query.execute(caller.tenant, params.id);
  }
}
