/**
 * `GET /api/v1/audit-log`: the tenant's audit rows, newest first by default, keyset-paged
 * on (at, id) so a page never repeats or skips a row while new ones are written. The
 * cursor carries the position in its text beside the codec's tag, and the tag covers the
 * tenant, the filters, the order and the position, so it works only for the query that
 * issued it (400 `invalid_cursor` otherwise).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toPublicTimestamp } from '@herald/contracts';
import {
  CursorCodec,
  CursorScope,
  cutPage,
  DEFAULT_LIMIT,
  InvalidCursorError,
  ListPage,
  readAsTenant,
} from '@herald/platform';
import { redactAuditDetails } from '../audit-details';
import type { AuditLogEntryResponseDto } from './audit-log-entry.response.dto';
import type { ListAuditLogRequestDto } from './list-audit-log.request.dto';

export const AUDIT_LOG_ROUTE = 'GET /api/v1/audit-log';

/** A position: microseconds since the epoch and the row id, both decimal. */
export interface AuditPosition {
  micros: string;
  id: string;
}

interface Row {
  id: string;
  at: string;
  micros: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  details: unknown;
}

const POSITION_TEXT = /^(-?\d{1,18})_(\d{1,19})$/;
/** Before every row: where an oldest-first walk starts. */
const ORIGIN: AuditPosition = { micros: '-62135596800000000', id: '0' };

export function encodeAuditCursor(codec: CursorCodec, scope: CursorScope, p: AuditPosition): string {
  const text = `${p.micros}_${p.id}`;
  return `${codec.encode({ ...scope, query: { ...scope.query, '@after': text } }, 0n)}.${text}`;
}

export function decodeAuditCursor(codec: CursorCodec, scope: CursorScope, cursor: string): AuditPosition {
  const dot = cursor.indexOf('.');
  const text = cursor.slice(dot + 1);
  const m = POSITION_TEXT.exec(text);
  if (dot < 0 || !m || BigInt(m[2]!) > 2n ** 63n - 1n) throw forged();
  if (codec.decode({ ...scope, query: { ...scope.query, '@after': text } }, cursor.slice(0, dot)) !== 0n) {
    throw forged();
  }
  return { micros: m[1]!, id: m[2]! };
}

function forged(): InvalidCursorError {
  return new InvalidCursorError('cursor is not valid for this query; start again without a cursor');
}

@Injectable()
export class ListAuditLogQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  async execute(tenant: string, req: ListAuditLogRequestDto): Promise<ListPage<AuditLogEntryResponseDto>> {
    const limit = req.limit ?? DEFAULT_LIMIT;
    const order = req.order ?? 'desc';
    const scope: CursorScope = {
      tenant,
      route: AUDIT_LOG_ROUTE,
      query: {
        order,
        action: req.action,
        actor: req.actor,
        target_type: req.target_type,
        target_id: req.target_id,
        since: req.since,
        until: req.until,
      },
    };
    const after = req.cursor === undefined ? undefined : decodeAuditCursor(this.codec, scope, req.cursor);
    const params: unknown[] = [tenant];
    const where = ['l.tenant = $1'];
    if (req.action !== undefined) {
      if (req.action.endsWith('.*')) {
        // The filter's grammar admits no LIKE wildcard but `_`, which is escaped.
        const prefix = req.action.slice(0, -1).replace(/_/g, '\\_');
        where.push(`l.action LIKE $${params.push(`${prefix}%`)}`);
      } else {
        where.push(`l.action = $${params.push(req.action)}`);
      }
    }
    if (req.actor !== undefined) where.push(`l.actor = $${params.push(req.actor)}`);
    if (req.target_type !== undefined) where.push(`l.target_type = $${params.push(req.target_type)}`);
    if (req.target_id !== undefined) where.push(`l.target_id = $${params.push(req.target_id)}`);
    // In UTC: Postgres refuses offsets beyond ±15:59 that RFC 3339 allows.
    if (req.since !== undefined)
      where.push(`l.at >= $${params.push(toPublicTimestamp(req.since))}::timestamptz`);
    if (req.until !== undefined)
      where.push(`l.at < $${params.push(toPublicTimestamp(req.until))}::timestamptz`);
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    if (after) {
      const at = `(timestamptz 'epoch' + $${params.push(after.micros)}::bigint * interval '1 microsecond')`;
      where.push(`(l.at, l.id) ${order === 'asc' ? '>' : '<'} (${at}, $${params.push(after.id)}::bigint)`);
    }
    const rows = await readAsTenant<Row>(
      this.ds,
      tenant,
      `SELECT l.id::text AS id,
              to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
              (extract(epoch FROM l.at) * 1000000)::bigint::text AS micros,
              l.actor, l.action, l.target_type, l.target_id, l.details
         FROM audit_log l
        WHERE ${where.join(' AND ')}
        ORDER BY l.at ${dir}, l.id ${dir}
        LIMIT ${limit + 1}`,
      params,
    );
    const page = cutPage<Row, AuditLogEntryResponseDto, AuditPosition | undefined>(rows, {
      limit,
      order,
      // An oldest-first walk always gets a cursor, an empty first page too, to ask later for what came since.
      start: after ?? (order === 'asc' ? ORIGIN : undefined),
      keyOf: (r) => ({ micros: r.micros, id: r.id }),
      itemOf: (r) => ({
        id: r.id,
        at: r.at,
        actor: r.actor,
        action: r.action,
        target_type: r.target_type,
        target_id: r.target_id,
        details: redactAuditDetails(r.details),
      }),
      encode: (p) => (p === undefined ? '' : encodeAuditCursor(this.codec, scope, p)),
    });
    return { ...page, next_cursor: page.next_cursor || null };
  }
}
