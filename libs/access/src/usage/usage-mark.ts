/**
 * Which key, or which OAuth client through one of its tokens, a request authenticated
 * with, for the usage log (set even when it is then refused).
 */
import type { FastifyRequest } from 'fastify';

export interface UsageMark {
  tenant: string;
  /** The key's id, or the client's for a token. */
  keyId: string;
  kind: 'key' | 'token';
}

const marks = new WeakMap<FastifyRequest, UsageMark>();

export function markUsage(req: FastifyRequest, mark: UsageMark): void {
  marks.set(req, mark);
}

export function usageMarkOf(req: FastifyRequest): UsageMark | undefined {
  return marks.get(req);
}
