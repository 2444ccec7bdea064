/**
 * Body of `PATCH /api/v1/webhooks/{id}`: only the fields sent change. Each is checked as
 * at creation (400 for the schema, 422 `invalid_endpoint` for what cannot be accepted);
 * changed events are checked together with the filters that stay, and the other way round.
 */
import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { SIGNING_SCHEMES, SigningScheme } from '../endpoint';
import { EVENT_PATTERNS, FILTER_VALUE, MAX_FILTERS } from '../shared/subscription-rules';
import { MAX_EVENT_PATTERNS } from '../create-endpoint/create-endpoint.request.dto';

/** Absent means "leave as is"; null is not a value these fields take. */
const present = (_: object, value: unknown): boolean => value !== undefined;

export class UpdateWebhookRequestDto {
  /** A new https URL, checked like at creation (SSRF guard included). */
  @ApiPropertyOptional({ pattern: '^https://' })
  @ValidateIf(present)
  @IsString()
  url?: string;

  /** A new label; null clears it. */
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  label?: string | null;

  /** New subscriptions, replacing the old ones (same rules as at creation). */
  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: MAX_EVENT_PATTERNS, enum: EVENT_PATTERNS })
  @ValidateIf(present)
  @IsArray()
  @ArrayMaxSize(MAX_EVENT_PATTERNS)
  @IsString({ each: true })
  events?: string[];

  /** New payload filters, replacing the old ones; `{}` removes them all. */
  @ApiPropertyOptional({ maxProperties: MAX_FILTERS, additionalProperties: FILTER_VALUE })
  @ValidateIf(present)
  @IsObject()
  filters?: Record<string, string | number | boolean | null>;

  /**
   * false disables the endpoint (`disabled_reason: manual`); true re-enables it, whatever
   * disabled it, and resets its run of dead deliveries.
   */
  @ValidateIf(present)
  @IsBoolean()
  active?: boolean;

  /**
   * Another HMAC scheme (`mobieus-v1`, `mobieus-v1-sha512`, `standard-webhooks`): the
   * secret stays. Moving to or from `standard-webhooks-ed25519` changes the kind of key, so
   * it is refused here (422) and done with `POST /api/v1/webhooks/{id}/rotate-secret`,
   * which returns the new secret.
   */
  @ValidateIf(present)
  @IsIn(SIGNING_SCHEMES)
  signing_scheme?: SigningScheme;
}
