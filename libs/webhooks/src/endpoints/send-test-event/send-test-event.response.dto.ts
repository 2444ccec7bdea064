/** The answer to `POST /api/v1/webhooks/{id}/test`. */
export class TestEventResponseDto {
  /** The id of the `webhook.test` event on its way to the endpoint; it appears in its delivery log. */
  event_id!: string;
}
