/** `GET /api/v1/events` (scope `events:read`). */
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, CachedRead, Caller, Enveloped, PublicApi, RequireScopes } from '@herald/platform';
import { PublicEventResponseDto } from '../shared/public-event.response.dto';
import { ListEventsQuery } from './list-events.query';
import { ListEventsRequestDto } from './list-events.request.dto';

@PublicApi()
@Controller('api/v1/events')
export class ListEventsHttpController {
  constructor(private readonly query: ListEventsQuery) {}

  @Get()
  @CachedRead()
  @ApiOkResponse({ type: PublicEventResponseDto, isArray: true })
  @RequireScopes('events:read')
  async listEvents(
    @Caller() caller: ApiCaller,
    @Query() params: ListEventsRequestDto,
  ): Promise<Enveloped<PublicEventResponseDto[]>> {
    const page = await this.query.execute(caller.tenant, params);
    return new Enveloped(page.items, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
