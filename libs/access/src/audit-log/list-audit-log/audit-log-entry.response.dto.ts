/** One row of the audit log as the API shows it. */
export class AuditLogEntryResponseDto {
  /** Increasing with the order rows were written in (a decimal string). */
  id!: string;

  /** When the change was made: RFC 3339 UTC with six fractional digits. */
  at!: string;

  /** Who made it: `key:<key id>` (an API key), `system` (Herald itself, e.g. an auto-disable) or an operator of the CLI. */
  actor!: string;

  /** What happened, `<target type>.<verb>`: `api_key.created`, `webhook_endpoint.auto_disabled`, `tenant_settings.updated`, … */
  action!: string;

  target_type!: string;

  target_id!: string;

  /** What changed, by action; never a secret (credential-like fields and URL query values are masked). */
  details!: Record<string, unknown>;
}
