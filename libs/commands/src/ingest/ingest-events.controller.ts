/**
 * `POST /internal/v1/events`: one internal event or an array of up to 1,000 (DESIGN.md §5).
 * 202 with their ids; 400 `invalid_events` listing each bad item's index and reason,
 * in which case nothing of the request is appended.
 */
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { DomainError, ServiceTokenGuard } from '@herald/platform';
import { Appended, EventAppender } from '../append/event-appender';

@Controller('internal/v1/events')
@UseGuards(ServiceTokenGuard)
export class IngestEventsController {
  constructor(private readonly appender: EventAppender) {}

  @Post()
  @HttpCode(202)
  async ingest(@Body() body: unknown): Promise<{ accepted: number; events: Appended[] }> {
    if (body === undefined || body === null || typeof body !== 'object') {
      throw new DomainError('invalid_events', 'the body must be an internal event or an array of them', 400);
    }
    const events = await this.appender.append(Array.isArray(body) ? body : [body]);
    return { accepted: events.length, events };
  }
}
