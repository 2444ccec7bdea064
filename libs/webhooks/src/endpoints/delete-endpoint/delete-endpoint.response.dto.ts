/** The answer to `DELETE /api/v1/webhooks/{id}`. */
export class DeletedWebhookResponseDto {
  /** The id of the endpoint that was deleted. */
  id!: string;

  /** Always true. */
  deleted!: boolean;
}
