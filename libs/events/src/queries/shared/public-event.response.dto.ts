/** A public event (DESIGN.md §5): the webhook body and each item of `GET /api/v1/events`. */
export class PublicEventResponseDto {
  /** `evt_` + a ULID; the same id the webhooks deliver, so it deduplicates across both. */
  id!: string;

  /** The public event type, e.g. `post.created`. */
  type!: string;

  /** When the fact happened: RFC 3339 UTC with exactly six fractional digits. */
  created_at!: string;

  /** The type's public data; the webhooks section describes each type's shape. */
  data!: Record<string, unknown>;
}
