/** A read model fed from the public topic. */
import type { EntityManager } from 'typeorm';
import type { PublicRecord } from '@herald/platform';

export const PROJECTION_NAMES = ['events', 'users', 'posts'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

export interface Projection {
  name: ProjectionName;
  /** Tables emptied by a rebuild from the beginning. */
  tables: string[];
  /** Applies records (in partition order) inside the caller's transaction. */
  apply(em: EntityManager, records: PublicRecord[]): Promise<void>;
  /** Serialises writers across processes when the projection needs a global order. */
  globalLock?: boolean;
}

export function projectorGroup(name: ProjectionName): string {
  return `herald.projector.${name}`;
}
