/**
 * The admin console's session routes (not part of the public API or its document):
 * `POST /admin/api/session` logs in and sets the session cookie, `GET` describes the current
 * session (with its CSRF token, for a reloaded page), `DELETE` logs out. The tenant is the
 * Host's, as for the API; a session of another tenant is no session here.
 */
import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HERALD_CONFIG, HeraldConfig, TenantDirectory } from '@herald/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tenantNotFound } from '../guard/access-errors';
import { tenantFromHost } from '../guard/request-credentials';
import { clearedSessionCookie, originMatchesHost, sessionCookie } from './admin-cookie';
import { accountLocked, csrfFailed, invalidCredentials } from './admin-errors';
import { AdminSessionGate } from './admin-session-gate';
import { AdminSession, AdminSessions } from './admin-sessions';
import { LoginRequestDto } from './login.request.dto';

export interface AdminSessionResponse {
  email: string;
  tenant: string;
  tenant_name: string;
  csrf_token: string;
  expires_at: string;
  idle_timeout_seconds: number;
}

@ApiExcludeController()
@Controller('admin/api/session')
export class AdminSessionHttpController {
  constructor(
    private readonly sessions: AdminSessions,
    private readonly gate: AdminSessionGate,
    private readonly tenants: TenantDirectory,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  @Post()
  @HttpCode(200)
  async login(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: LoginRequestDto,
  ): Promise<AdminSessionResponse> {
    // SameSite=Strict keeps the cookie from cross-site requests; this keeps other sites from logging a browser in.
    if (!originMatchesHost(req.headers.origin, req.headers.host)) throw csrfFailed('origin');
    const tenant = await this.tenantOf(req);
    const res = await this.sessions.login(tenant, body.email, body.password, { ip: req.ip });
    if (!res.ok) {
      if (res.reason === 'locked') {
        void reply.header('retry-after', res.retryAfterSeconds);
        throw accountLocked(res.retryAfterSeconds);
      }
      throw invalidCredentials();
    }
    void reply.header(
      'set-cookie',
      sessionCookie(res.session.token, {
        maxAgeSeconds: this.config.adminSessions.ttlMs / 1000,
        secure: this.gate.secureCookie,
      }),
    );
    return this.describe(res.session, reply);
  }

  @Get()
  async current(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AdminSessionResponse> {
    const session = await this.gate.admit(req, await this.tenantOf(req));
    return this.describe(session, reply);
  }

  @Delete()
  async logout(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ logged_out: true }> {
    const tenant = await this.tenantOf(req);
    await this.gate.admit(req, tenant);
    await this.sessions.logout(tenant, AdminSessionGate.tokenOf(req)!);
    void reply.header('set-cookie', clearedSessionCookie({ secure: this.gate.secureCookie }));
    return { logged_out: true };
  }

  private async tenantOf(req: FastifyRequest): Promise<string> {
    const tenant = tenantFromHost(req.host, this.config.baseDomain);
    if (!tenant || !(await this.tenants.exists(tenant))) throw tenantNotFound();
    return tenant;
  }

  private describe(session: AdminSession, reply: FastifyReply): AdminSessionResponse {
    void reply.header('cache-control', 'no-store');
    return {
      email: session.email,
      tenant: session.tenant,
      tenant_name: session.tenantName,
      csrf_token: session.csrfToken,
      expires_at: session.expiresAt.toISOString(),
      idle_timeout_seconds: Math.floor(this.config.adminSessions.idleTimeoutMs / 1000),
    };
  }
}
