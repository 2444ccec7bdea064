/** The two optional fields every command request accepts besides its kind's data. */
import { INTERNAL_ID_PATTERN, MAX_ID } from '@herald/contracts';
import { applyDecorators } from '@nestjs/common';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { CommandOptions } from './command';
import { IsRfc3339Time } from '@herald/platform';

export abstract class CommandRequestDto implements CommandOptions {
  @IsOptional()
  @IsString()
  @Matches(new RegExp(INTERNAL_ID_PATTERN), { message: 'event_id must be a UUID or a ULID' })
  event_id?: string;

  @IsOptional()
  @IsRfc3339Time()
  occurred_at?: string;
}

/** Upper bounds for free text: generous for humans, small enough to keep one event well under a megabyte. */
export const MaxChars = {
  name: 500,
  title: 500,
  slug: 500,
  email: 320,
  ip: 100,
  reason: 10_000,
  body: 100_000,
} as const;

/**
 * A positive safe integer id (the catalog's `id` fields). The body was parsed by JSON.parse,
 * so an id above 2^53−1 arrives already rounded — but always to a value above MAX_ID, which
 * is how `Max` catches it.
 */
export const IdField = (): PropertyDecorator => applyDecorators(IsInt(), Min(1), Max(MAX_ID));

/** A safe integer (the catalog's `integer` fields). */
export const SafeIntField = (): PropertyDecorator => applyDecorators(IsInt(), Min(-MAX_ID), Max(MAX_ID));

/** Non-empty text of at most `max` characters. */
export const TextField = (max: number): PropertyDecorator =>
  applyDecorators(IsString(), IsNotEmpty(), MaxLength(max));
