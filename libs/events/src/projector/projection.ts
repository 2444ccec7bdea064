/** A read model fed from the public topic. */
import type { EntityManager } from 'typeorm';
import type { PublicRecord } from '@herald/platform';

export const PROJECTION_NAMES = ['events', 'users', 'posts'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

/** Where a record lies in the public log, as the consumer read it. */
export interface LogPosition {
  partition: number;
  offset: string;
  /** The record's timestamp in the log, milliseconds since the epoch. */
  timestamp: string;
}

export interface Projection {
  name: ProjectionName;
  /** Tables emptied by a rebuild from the beginning. */
  tables: string[];
  /**
   * Applies records (in partition order) inside the caller's transaction; `positions[i]`
   * is where `records[i]` lies in the public log.
   */
  apply(em: EntityManager, records: PublicRecord[], positions: readonly LogPosition[]): Promise<void>;
  /** Serialises writers across processes when the projection needs a global order. */
  globalLock?: boolean;
}

export function projectorGroup(name: ProjectionName): string {
  return `herald.projector.${name}`;
}
