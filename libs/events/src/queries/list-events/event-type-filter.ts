/**
 * The `type` filter of `GET /api/v1/events`: an exact public type (`post.created`) or a
 * prefix wildcard (`post.*`, every type under `post.`). It is resolved against the
 * taxonomy up front, so a typo is a 400 instead of an empty list that looks like silence.
 */
import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';
import { PUBLIC_TYPES, WEBHOOK_TEST_TYPE } from '@herald/contracts';

/** What the events read model can hold: every public type but `webhook.test`, which is never stored. */
export const STORED_TYPES: readonly string[] = PUBLIC_TYPES.filter((t) => t !== WEBHOOK_TEST_TYPE);

/** Every value the filter accepts: each stored type and each `prefix.*` above one, sorted. */
export const TYPE_FILTERS: readonly string[] = [
  ...new Set(
    STORED_TYPES.flatMap((t) => {
      const parts = t.split('.');
      return [t, ...parts.slice(0, -1).map((_, i) => `${parts.slice(0, i + 1).join('.')}.*`)];
    }),
  ),
].sort();

const SHAPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/;

/** The stored types a filter selects; empty when it selects none or is malformed. */
export function typesMatching(filter: string): string[] {
  if (filter.length > 200 || !SHAPE.test(filter)) return [];
  if (!filter.endsWith('.*')) return STORED_TYPES.includes(filter) ? [filter] : [];
  const prefix = filter.slice(0, -1); // keeps the dot: `post.*` selects `post.…`, never `postal.…`
  return STORED_TYPES.filter((t) => t.startsWith(prefix));
}

export function IsEventTypeFilter(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEventTypeFilter',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && typesMatching(value).length > 0,
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be a public event type (post.created) or a prefix wildcard (post.*) that matches one`,
          options,
        ),
      },
    },
    options,
  );
}
