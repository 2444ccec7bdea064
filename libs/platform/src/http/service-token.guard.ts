/**
 * Guards the internal routes: `Authorization: Bearer <HERALD_SERVICE_TOKEN>`, compared in
 * constant time (both sides hashed first, so length differences leak nothing either). The
 * expected token's digest is computed once, not on every request.
 */
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HERALD_CONFIG, HeraldConfig } from '../config';
import { DomainError } from './errors';

const digestOf = (token: string): Buffer => hash('sha256', token, 'buffer');

@Injectable()
export class ServiceTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(HERALD_CONFIG) config: HeraldConfig) {
    this.expected = config.serviceToken ? digestOf(config.serviceToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!this.expected || !match?.[1] || !timingSafeEqual(digestOf(match[1]), this.expected)) {
      throw new DomainError(
        'invalid_service_token',
        'a valid service token is required (Authorization: Bearer …)',
        401,
      );
    }
    return true;
  }
}
