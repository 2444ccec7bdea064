/**
 * Which controller methods of an app are public API routes, with their scopes and
 * declared error codes, read from the same metadata the access guard reads
 * (`@PublicApi()`, `@RequireScopes()`), so the document and the guard cannot disagree.
 */
import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { Scope } from '@herald/contracts';
import type { ErrorCode } from '../http/error-codes';
import { PUBLIC_API, REQUIRED_SCOPES } from '../http/public-api';
import { API_ERRORS } from './api-errors.decorator';

export interface PublicHandler {
  controller: string;
  method: string;
  scopes: readonly Scope[];
  errors: readonly ErrorCode[];
}

/** Stable key of a handler, used as the scan-time operationId. */
export const handlerKey = (controller: string, method: string): string => `${controller}#${method}`;

export function publicHandlers(app: INestApplication): Map<string, PublicHandler> {
  const out = new Map<string, PublicHandler>();
  const owners = new Map<string, Type<unknown>>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as Type<unknown> | null;
      if (!cls) continue;
      const previous = owners.get(cls.name);
      if (previous && previous !== cls) {
        // Operations are matched to handlers by class name; two classes sharing one would be ambiguous.
        throw new Error(`two controllers are named ${cls.name}; rename one`);
      }
      owners.set(cls.name, cls);
      collect(cls, out);
    }
  }
  return out;
}

function collect(cls: Type<unknown>, out: Map<string, PublicHandler>): void {
  const proto = cls.prototype as Record<string, unknown>;
  const classPublic = Reflect.getMetadata(PUBLIC_API, cls) === true;
  for (const method of Object.getOwnPropertyNames(proto)) {
    const handler = proto[method];
    if (method === 'constructor' || typeof handler !== 'function') continue;
    if (!classPublic && Reflect.getMetadata(PUBLIC_API, handler) !== true) continue;
    const scopes = (Reflect.getMetadata(REQUIRED_SCOPES, handler) ??
      Reflect.getMetadata(REQUIRED_SCOPES, cls) ??
      []) as Scope[];
    const errors = [
      ...((Reflect.getMetadata(API_ERRORS, cls) ?? []) as ErrorCode[]),
      ...((Reflect.getMetadata(API_ERRORS, handler) ?? []) as ErrorCode[]),
    ];
    out.set(handlerKey(cls.name, method), { controller: cls.name, method, scopes, errors });
  }
}
