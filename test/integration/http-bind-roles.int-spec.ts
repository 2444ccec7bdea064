/**
 * Where a role process listens and what it serves: `HERALD_BIND` (loopback outside
 * production, every IPv4 interface in it) is the address the HTTP server binds, and the
 * internal routes (`/internal/v1/*`) answer only in a process running the commands role
 * that owns them; the gateway serves the public API and not them, and the other way round.
 */
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createLogger,
  createRolesApp,
  freePort,
  listen,
  listenAddress,
  loadConfig,
  TenantsRepository,
} from '@herald/platform';
import * as net from 'node:net';
import { CommandsModule } from '../../apps/commands/src/commands.module';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { TranslatorModule } from '../../apps/translator/src/translator.module';
import { FIXTURES, internalEvent } from '../fixtures/internal-events';
import { apiRequest } from '../support/api-keys';
import { testConfig, TEST_SERVICE_TOKEN } from '../support/app';
import { REPO_ROOT } from '../support/herald-process';
import { migratedDataSource, uniqueName } from '../support/infra';

async function boot(
  roles: Array<Type<unknown>>,
  env: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; port: number; host: string }> {
  const fromEnv = loadConfig({ NODE_ENV: 'test', ...env }, { projectRoot: REPO_ROOT });
  const port = await freePort();
  const config = testConfig({ port, bind: fromEnv.bind });
  const app = await createRolesApp(roles, config, createLogger({ level: 'silent' }));
  await listen(app, port, config.bind);
  return { app, port, host: config.bind };
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const post = (port: number, path: string, body: unknown, token = TEST_SERVICE_TOKEN) =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** The public event list as a tenant's integrator asks for it, with a key that does not exist. */
const publicApi = (port: number) =>
  apiRequest(`http://127.0.0.1:${port}`, '/api/v1/events', { tenant: TENANT, key: 'mc_live_nope' });

const TENANT = uniqueName('bind-roles');

beforeAll(async () => {
  const ds = await migratedDataSource();
  await new TenantsRepository(ds).create(TENANT);
  await ds.destroy();
});

describe('HERALD_BIND', () => {
  const apps: NestFastifyApplication[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  it('listens on 127.0.0.1 by default outside production', async () => {
    const { app, port } = await boot([GatewayModule]);
    apps.push(app);
    expect(listenAddress(app)).toBe(`127.0.0.1:${port}`);
    expect(loadConfig({ NODE_ENV: 'development' }, { projectRoot: REPO_ROOT }).bind).toBe('127.0.0.1');
  });

  it('listens on every IPv4 interface by default in production', async () => {
    expect(loadConfig({ NODE_ENV: 'production' }, { projectRoot: REPO_ROOT }).bind).toBe('0.0.0.0');
    const { app, port } = await boot([GatewayModule], { HERALD_BIND: '0.0.0.0' });
    apps.push(app);
    expect(listenAddress(app)).toBe(`0.0.0.0:${port}`);
    expect(await connects('127.0.0.2', port)).toBe(true);
  });

  it('listens on exactly the address given, and nowhere else', async () => {
    const { app, port } = await boot([GatewayModule], { HERALD_BIND: '127.0.0.2' });
    apps.push(app);
    expect(listenAddress(app)).toBe(`127.0.0.2:${port}`);
    expect(await connects('127.0.0.2', port)).toBe(true);
    expect(await connects('127.0.0.1', port)).toBe(false);
  });
});

describe('internal routes are served by the role that owns them', () => {
  const apps: NestFastifyApplication[] = [];
  afterAll(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  const fixture = FIXTURES.find((f) => f.kind === 'forum.post.created')!;
  const event = () => internalEvent('no-such-tenant', { kind: fixture.kind, data: fixture.data });
  const typed = '/internal/v1/tenants/no-such-tenant/forum/create-post';

  it.each([
    ['gateway', [GatewayModule]],
    ['translator', [TranslatorModule]],
    ['projector', [ProjectorModule]],
    ['dispatcher', [DispatcherModule]],
  ])('a %s-only process answers 404 on /internal/v1/*, token or not', async (_role, roles) => {
    const { app, port } = await boot(roles);
    apps.push(app);
    for (const path of ['/internal/v1/events', typed]) {
      const withToken = await post(port, path, path === typed ? fixture.data : [event()]);
      expect({ path, status: withToken.status }).toEqual({ path, status: 404 });
      const without = await post(port, path, {}, 'wrong-token');
      expect({ path, status: without.status }).toEqual({ path, status: 404 });
    }
  });

  it('the commands process serves them behind the service token, and not the public API', async () => {
    const { app, port } = await boot([CommandsModule]);
    apps.push(app);
    expect((await post(port, '/internal/v1/events', [event()], 'wrong-token')).status).toBe(401);
    // Routed and checked: an unknown tenant is a 400, not a 404 for a missing route.
    const res = await post(port, '/internal/v1/events', [event()]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_events');
    expect((await post(port, typed, fixture.data, 'wrong-token')).status).toBe(401);
    const api = await publicApi(port);
    expect({ status: api.status, code: api.body.error?.code }).toEqual({ status: 404, code: 'not_found' });
  });

  it('the gateway process serves the public API', async () => {
    const { app, port } = await boot([GatewayModule]);
    apps.push(app);
    const res = await publicApi(port);
    expect({ status: res.status, code: res.body.error?.code }).toEqual({
      status: 401,
      code: 'invalid_api_key',
    });
  });
});
