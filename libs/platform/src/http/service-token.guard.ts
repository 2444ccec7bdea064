/**
 * Guards the internal routes: `Authorization: Bearer <HERALD_SERVICE_TOKEN>`, compared in
 * constant time (both sides hashed first, so length differences leak nothing either).
 */
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HERALD_CONFIG, HeraldConfig } from '../config';
import { DomainError } from './errors';

export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

@Injectable()
export class ServiceTokenGuard implements CanActivate {
  constructor(@Inject(HERALD_CONFIG) private readonly config: HeraldConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const header = req.headers.authorization;
    const expected = this.config.serviceToken;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!expected || !match?.[1] || !tokensEqual(match[1], expected)) {
      throw new DomainError(
        'invalid_service_token',
        'a valid service token is required (Authorization: Bearer …)',
        401,
      );
    }
    return true;
  }
}
