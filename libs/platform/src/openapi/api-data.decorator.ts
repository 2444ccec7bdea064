/**
 * Documents what a public handler puts in `data` when its return type cannot say it
 * (an interface, or `Enveloped<…>`): a DTO class, or `'PublicEvent'` for items that are
 * public events (their schemas come from libs/contracts). The document wraps it in the
 * envelope itself; a list (`{ list: true }`) gets the list `meta`.
 */
import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export const PUBLIC_EVENT_SCHEMA = 'PublicEvent';

export function ApiData(
  model: Type<unknown> | typeof PUBLIC_EVENT_SCHEMA,
  opts: { list?: boolean; status?: 200 | 201; description?: string } = {},
): MethodDecorator & ClassDecorator {
  const item =
    typeof model === 'string' ? { $ref: `#/components/schemas/${model}` } : { $ref: getSchemaPath(model) };
  const schema = opts.list ? { type: 'array' as const, items: item } : item;
  const status = opts.status ?? 200;
  return applyDecorators(
    ...(typeof model === 'string' ? [] : [ApiExtraModels(model)]),
    ApiResponse({ status, schema, description: opts.description ?? (status === 201 ? 'Created' : 'OK') }),
  );
}
