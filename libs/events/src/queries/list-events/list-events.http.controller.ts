/** `GET /api/v1/events` (scope `events:read`). */
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import {
  ApiCaller,
  CachedRead,
  Caller,
  Enveloped,
  PublicApi,
  RawJson,
  RequireScopes,
} from '@herald/platform';
import { PublicEventResponseDto } from '../shared/public-event.response.dto';
import { ListEventsDirectRead } from './list-events.direct-read';
import { ListEventsQuery } from './list-events.query';
import { ListEventsRequestDto } from './list-events.request.dto';

@PublicApi()
@Controller('api/v1/events')
export class ListEventsHttpController {
  constructor(private readonly query: ListEventsQuery) {}

  @Get()
  @CachedRead(ListEventsDirectRead)
  @ApiOkResponse({ type: PublicEventResponseDto, isArray: true })
  @RequireScopes('events:read')
  async listEvents(
    @Caller() caller: ApiCaller,
    @Query() params: ListEventsRequestDto,
  ): Promise<Enveloped<RawJson>> {
    const page = await this.query.execute(caller.tenant, params);
    return new Enveloped(page.items, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
