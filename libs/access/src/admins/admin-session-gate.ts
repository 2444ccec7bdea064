/**
 * Resolves the admin session a request presents, with the browser checks every
 * session-authenticated request passes: the cookie's session must be live in the Host's
 * tenant (401 otherwise), the `Origin`, when sent, must be that host, and a request that
 * changes something must carry the session's CSRF token (403 `csrf_failed`).
 */
import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, HeraldConfig } from '@herald/platform';
import type { FastifyRequest } from 'fastify';
import {
  ADMIN_SESSION_COOKIE,
  CSRF_HEADER,
  isSafeMethod,
  originMatchesHost,
  readCookie,
} from './admin-cookie';
import { csrfFailed, notAuthenticated } from './admin-errors';
import { AdminSession, AdminSessions } from './admin-sessions';

@Injectable()
export class AdminSessionGate {
  constructor(
    private readonly sessions: AdminSessions,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  /** The cookie's token, when the request carries one. */
  static tokenOf(req: FastifyRequest): string | undefined {
    const token = readCookie(req.headers.cookie, ADMIN_SESSION_COOKIE);
    return token === undefined || token === '' ? undefined : token;
  }

  /** The live session, or throws 401 / 403 as described above. */
  async admit(req: FastifyRequest, tenant: string): Promise<AdminSession> {
    if (!originMatchesHost(req.headers.origin, req.headers.host)) throw csrfFailed('origin');
    const token = AdminSessionGate.tokenOf(req);
    const session = token === undefined ? null : await this.sessions.resume(tenant, token);
    if (!session) throw notAuthenticated();
    if (!isSafeMethod(req.method) && !csrfMatchesHeader(session, req.headers[CSRF_HEADER])) {
      throw csrfFailed('token');
    }
    return session;
  }

  get secureCookie(): boolean {
    return this.config.adminSessions.secureCookie;
  }
}

function csrfMatchesHeader(session: AdminSession, header: string | string[] | undefined): boolean {
  return typeof header === 'string' && AdminSessions.csrfMatches(session, header);
}
