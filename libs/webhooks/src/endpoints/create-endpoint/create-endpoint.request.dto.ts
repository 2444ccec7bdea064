/**
 * Body of `POST /api/v1/webhooks`. A body that does not fit this schema is a 400
 * `bad_request`; one that fits but cannot be accepted (see each field) is a 422
 * `invalid_endpoint` listing every problem.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { SIGNING_SCHEMES, SigningScheme } from '../endpoint';
import { EVENT_PATTERNS, FILTER_VALUE, MAX_FILTERS } from '../shared/subscription-rules';

export const MAX_EVENT_PATTERNS = 100;

export class CreateWebhookRequestDto {
  /**
   * The https URL to POST events to. 422 when it does not parse, is not https, has a
   * fragment, or the SSRF guard refuses it (loopback, private, link-local and other
   * non-public addresses, `localhost`, `*.internal`, …).
   */
  @ApiProperty({ pattern: '^https://' })
  @IsString()
  url!: string;

  /** A name to recognise the endpoint by. */
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  label?: string | null;

  /**
   * What to receive: exact public types (`post.created`), prefix wildcards that match at
   * least one type (`post.*`), or `*` for everything. 422 when empty or when an entry
   * matches no public type. Repeats are dropped.
   */
  @ApiProperty({ type: [String], minItems: 1, maxItems: MAX_EVENT_PATTERNS, enum: EVENT_PATTERNS })
  @IsArray()
  @ArrayMaxSize(MAX_EVENT_PATTERNS)
  @IsString({ each: true })
  events!: string[];

  /**
   * Payload filters, all of which must hold: a dotted path into the event
   * (`data.forum_slug`) → the value it must equal (string, number, boolean or null).
   * 422 when a path is not in the schema of any subscribed type. At most 20.
   */
  @ApiPropertyOptional({ maxProperties: MAX_FILTERS, additionalProperties: FILTER_VALUE, nullable: true })
  @IsOptional()
  @IsObject()
  filters?: Record<string, string | number | boolean | null>;

  /** How deliveries are signed (default `mobieus-v1`). */
  @ApiPropertyOptional({ enum: SIGNING_SCHEMES, nullable: true })
  @IsOptional()
  @IsIn(SIGNING_SCHEMES)
  signing_scheme?: SigningScheme;

  /** False registers the endpoint disabled (`disabled_reason: manual`); default true. */
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
