/** Reads of one endpoint inside a tenant transaction, shared by the use cases that change it. */
import type { EntityManager } from 'typeorm';
import { ENDPOINT_NOT_FOUND } from '../../webhook-errors';
import type { EndpointRow } from '../endpoint';
import { endpointColumns, EndpointItemRow } from './endpoint.item';

/** The stored row, locked for the rest of the transaction; 404 when the tenant has no such endpoint. */
export async function lockEndpoint(em: EntityManager, tenant: string, id: string): Promise<EndpointRow> {
  const rows: EndpointRow[] = await em.query(
    `SELECT * FROM webhook_endpoints WHERE tenant = $1 AND id = $2 FOR UPDATE`,
    [tenant, id],
  );
  // Another tenant's endpoint is as absent as one that never existed.
  if (!rows[0]) throw ENDPOINT_NOT_FOUND.error(`no webhook endpoint ${id}`);
  return rows[0];
}

/** The public columns of an endpoint as the transaction sees it now. */
export async function endpointItemRow(
  em: EntityManager,
  tenant: string,
  id: string,
): Promise<EndpointItemRow> {
  const rows: EndpointItemRow[] = await em.query(
    `SELECT ${endpointColumns('e')} FROM webhook_endpoints e WHERE e.tenant = $1 AND e.id = $2`,
    [tenant, id],
  );
  if (!rows[0]) throw ENDPOINT_NOT_FOUND.error(`no webhook endpoint ${id}`);
  return rows[0];
}
