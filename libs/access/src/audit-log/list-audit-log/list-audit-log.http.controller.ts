/** `GET /api/v1/audit-log` (scope `audit:read`). */
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, Enveloped, PublicApi, RequireScopes } from '@herald/platform';
import { AuditLogEntryResponseDto } from './audit-log-entry.response.dto';
import { ListAuditLogQuery } from './list-audit-log.query';
import { ListAuditLogRequestDto } from './list-audit-log.request.dto';

@PublicApi()
@Controller('api/v1/audit-log')
export class ListAuditLogHttpController {
  constructor(private readonly query: ListAuditLogQuery) {}

  /**
   * List the audit log
   *
   * @remarks Every change made to the tenant's configuration (API keys, webhook endpoints,
   * settings), by whom and when, newest first (`order=asc` for the oldest first). Rows are never
   * changed or deleted.
   */
  @Get()
  @ApiOkResponse({ type: AuditLogEntryResponseDto, isArray: true })
  @RequireScopes('audit:read')
  async listAuditLog(
    @Caller() caller: ApiCaller,
    @Query() query: ListAuditLogRequestDto,
  ): Promise<Enveloped<AuditLogEntryResponseDto[]>> {
    const page = await this.query.execute(caller.tenant, query);
    return new Enveloped(page.items, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
