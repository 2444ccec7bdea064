/**
 * Deletes an endpoint with its deliveries and their attempts (the database's delete triggers),
 * and records `webhook_endpoint.deleted`. The audit row stays: the log is append-only.
 */
import { Injectable } from '@nestjs/common';
import { appendAudit, withTenant } from '@herald/platform';
import { DataSource } from 'typeorm';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import type { Actor } from '../shared/actor';
import type { DeletedWebhookResponseDto } from './delete-endpoint.response.dto';

@Injectable()
export class DeleteEndpointHandler {
  constructor(private readonly ds: DataSource) {}

  async execute(by: Actor, id: string): Promise<DeletedWebhookResponseDto> {
    return withTenant(this.ds, by.tenant, async (em) => {
      // TypeORM answers a DELETE … RETURNING with [rows, count].
      const [rows]: [Array<{ url: string; label: string | null; events: string[] }>, number] = await em.query(
        `DELETE FROM webhook_endpoints WHERE tenant = $1 AND id = $2 RETURNING url, label, events`,
        [by.tenant, id],
      );
      const gone = rows[0];
      if (!gone) throw ENDPOINT_NOT_FOUND.error(`no webhook endpoint ${id}`);
      await appendAudit(em, {
        tenant: by.tenant,
        actor: by.actor,
        action: 'webhook_endpoint.deleted',
        targetType: 'webhook_endpoint',
        targetId: id,
        details: { url: gone.url, label: gone.label, events: gone.events },
      });
      return { id, deleted: true };
    });
  }
}
