/**
 * `herald dev` (= `npm start`): the whole system in one process on embedded defaults.
 * Finds or starts Postgres and Kafka, migrates, creates topics and the `dev` tenant and its
 * console admin, boots every role with the demo webhook receiver (apps/cli/src/dev/), serves /healthz,
 * /readyz and /metrics, and stops what it started on SIGINT/SIGTERM.
 */
import {
  createDataSource,
  createLogger,
  createRolesApp,
  listen,
  listenAddress,
  loadOrCreateDevSecrets,
  migrate,
  projectRoot,
  provisionLogin,
  removeDevState,
  ResolvedKafka,
  ResolvedPostgres,
  resolveKafka,
  resolvePostgres,
  TenantsRepository,
  writeDevState,
} from '@herald/platform';
import { ApiKeysRepository, DemoKey, mintDemoKey } from '@herald/access';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Command, InvalidArgumentError } from 'commander';
import { CommandsModule } from '../../../commands/src/commands.module';
import { DispatcherModule } from '../../../dispatcher/src/dispatcher.module';
import { GatewayModule } from '../../../gateway/src/gateway.module';
import { ProjectorModule } from '../../../projector/src/projector.module';
import { TranslatorModule } from '../../../translator/src/translator.module';
import { cliConfig, errorLine } from '../cli-context';
import { connectDemoWebhooks, startDemoWebhooks } from '../dev/demo-webhooks';
import { DevAdmin, devAdminLine, ensureDevAdmin } from '../dev/dev-admin';

export const DEV_TENANT = 'dev';

interface DevOptions {
  /** False with --no-demo-receiver. */
  demoReceiver: boolean;
  demoReceiverPort?: number;
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run every role in one process on embedded Kafka and Postgres (unless configured)')
    .option(
      '--demo-receiver-port <port>',
      'port of the demo webhook receiver on 127.0.0.1 (default: PORT + 1, or any free port when taken; 0: any free port)',
      parsePortOption,
    )
    .option('--no-demo-receiver', 'do not start the demo webhook receiver nor register its endpoint')
    .action(async (opts: DevOptions) => {
      await runDev(opts);
    });
}

function parsePortOption(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535)
    throw new InvalidArgumentError('must be a port, 0 to 65535');
  return Number(raw);
}

async function runDev(opts: DevOptions): Promise<void> {
  const started = performance.now();
  const base = cliConfig();
  const logger = createLogger({ level: base.logLevel, name: 'herald' });
  const say = (line: string): void => void process.stdout.write(`herald: ${line}\n`);
  const quiet = (line: string): void => logger.debug(line);

  const secrets = loadOrCreateDevSecrets(base.dataDir);
  // What this run started, stopped in reverse: the engines run in their own session (so a
  // terminal's Ctrl-C reaches only this process) and go after the roles, broker before Postgres.
  const stack: Array<{ what?: string; stop: () => Promise<void> }> = [];
  const stopAll = async (report: boolean): Promise<void> => {
    for (const { what, stop } of stack.splice(0).reverse()) {
      try {
        await stop();
        if (report && what) say(`stopped ${what}`);
      } catch (err) {
        if (report) logger.error({ err }, `stopping ${what ?? 'a dev service'} failed`);
      }
    }
  };
  let app: NestFastifyApplication | undefined;
  let stopping = false;

  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    try {
      if (app) {
        await app.close();
        say('stopped roles');
      }
    } catch (err) {
      logger.error({ err }, 'error while closing the application');
    }
    await stopAll(true);
    removeDevState(base.dataDir);
    say('stopped');
    process.exit(0);
  };
  // A second Ctrl-C while stopping is ignored: the stop above is bounded and kills what hangs.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  let pg: ResolvedPostgres;
  let kafka: ResolvedKafka;
  try {
    say('starting Postgres and Kafka…');
    const [pgRes, kafkaRes] = await Promise.allSettled([
      resolvePostgres(base, quiet),
      resolveKafka(base, projectRoot(), quiet),
    ]);
    if (pgRes.status === 'fulfilled') stack.push(engineStop('Postgres', pgRes.value));
    if (kafkaRes.status === 'fulfilled') stack.push(engineStop('Kafka', kafkaRes.value));
    if (pgRes.status === 'rejected') throw pgRes.reason;
    if (kafkaRes.status === 'rejected') throw kafkaRes.reason;
    pg = pgRes.value;
    kafka = kafkaRes.value;

    const ds = await createDataSource({ url: pg.url, poolSize: 2 }).initialize();
    let demo: DemoKey;
    let admin: DevAdmin;
    let databaseAppUrl = base.databaseAppUrl;
    let databaseSystemUrl = base.databaseSystemUrl;
    try {
      const applied = await migrate(ds);
      if (applied.length) say(`applied migrations: ${applied.join(', ')}`);
      // As in production, when this login may set them up: tenant-scoped queries log in as
      // herald_app, the roles' cross-tenant work as herald_system; the owner only migrates.
      databaseAppUrl ??= await provisionLogin(ds, pg.url, 'herald_app');
      databaseSystemUrl ??= await provisionLogin(ds, pg.url, 'herald_system');
      if (await new TenantsRepository(ds).ensure(DEV_TENANT, 'Development'))
        say(`created tenant "${DEV_TENANT}"`);
      demo = await mintDemoKey(new ApiKeysRepository(ds), DEV_TENANT);
      admin = await ensureDevAdmin(ds, base.dataDir, DEV_TENANT);
    } finally {
      await ds.destroy();
    }

    const demoHooks = await startDemoWebhooks(
      {
        ...base,
        databaseUrl: pg.url,
        databaseAppUrl,
        databaseSystemUrl,
        kafkaBrokers: kafka.brokers,
        masterKey: base.masterKey ?? secrets.masterKey,
        serviceToken: base.serviceToken ?? secrets.serviceToken,
      },
      { enabled: opts.demoReceiver, port: opts.demoReceiverPort },
      say,
    );
    if (demoHooks.demo) stack.push({ stop: demoHooks.demo.receiver.close });
    const config = demoHooks.config;
    app = await createRolesApp(
      [GatewayModule, CommandsModule, TranslatorModule, ProjectorModule, DispatcherModule],
      config,
      logger,
    );
    // Before listen() starts the dispatcher: no delivery is signed with a secret the receiver lacks.
    const demoLines = await connectDemoWebhooks(app, demoHooks, {
      tenant: DEV_TENANT,
      apiKey: demo.key.key,
      tenantOrigin: `http://${DEV_TENANT}.${config.baseDomain}:${config.port}`,
      config,
    }).catch((err: unknown) => [
      `  receiver    none: the demo endpoint was not registered (${errorLine(err)})`,
    ]);
    await listen(app, config.port, config.bind);
    writeDevState(base.dataDir, {
      database_url: pg.url,
      ...(databaseSystemUrl ? { database_system_url: databaseSystemUrl } : {}),
      ...(databaseAppUrl ? { database_app_url: databaseAppUrl } : {}),
      kafka_brokers: kafka.brokers,
      http_port: config.port,
      pid: process.pid,
      started_at: new Date().toISOString(),
    });

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const lines = [
      `ready in ${seconds}s — roles: gateway, commands, translator, projector, dispatcher`,
      `  http        http://localhost:${config.port}  (health: /healthz, readiness: /readyz, metrics: /metrics)`,
      `  listening   ${listenAddress(app)}  (HERALD_BIND; ${bindNote(config.bind)})`,
      `  tenant      ${DEV_TENANT} → http://${DEV_TENANT}.${config.baseDomain}:${config.port}/`,
      `  postgres    ${redactUrl(pg.url)} (${pg.source}${pg.pid ? `, pid ${pg.pid}` : ''})`,
      `  db logins   ${dbLogins(pg.url, databaseSystemUrl, databaseAppUrl)}`,
      `  kafka       ${kafka.brokers.join(',')} (${kafka.source}${kafka.pid ? `, pid ${kafka.pid}` : ''})`,
      `  data dir    ${base.dataDir}  (addresses in dev.json for other herald commands)`,
      secrets.generated && !base.serviceToken
        ? `  service token (shown once; kept in ${base.dataDir}/secrets.json): ${secrets.serviceToken}`
        : `  service token: HERALD_SERVICE_TOKEN or ${base.dataDir}/secrets.json`,
      `  try         curl -s localhost:${config.port}/readyz`,
      `  demo key    ${demo.key.key}  (${DEV_TENANT}, read scopes, test mode; a new one at each start)`,
      `  try         curl -s -H "Authorization: Bearer ${demo.key.key}" http://${DEV_TENANT}.${config.baseDomain}:${config.port}/api/v1/events`,
      devAdminLine(admin, `http://${DEV_TENANT}.${config.baseDomain}:${config.port}/admin`),
      ...demoLines,
      `  stop        Ctrl-C`,
    ];
    say(lines.join('\n'));
  } catch (err) {
    process.stderr.write(`herald: dev failed: ${errorLine(err)}\n`);
    await stopAll(false);
    process.exit(1);
  }
}

/** A stop step that reports the engine only when this run started it. */
function engineStop(
  name: string,
  engine: { pid?: number; stop(): Promise<void> },
): { what?: string; stop: () => Promise<void> } {
  return { what: engine.pid ? `${name} (pid ${engine.pid})` : undefined, stop: () => engine.stop() };
}

function bindNote(bind: string): string {
  if (bind === '127.0.0.1' || bind === '::1' || bind === 'localhost') return 'this machine only';
  if (bind === '0.0.0.0' || bind === '::') return 'every interface: reachable from the network';
  return `address ${bind} only`;
}

/** Which login does what (docs/operations.md, "Database roles"). */
function dbLogins(ownerUrl: string, systemUrl: string | undefined, appUrl: string | undefined): string {
  const user = (url: string): string => decodeURIComponent(new URL(url).username) || '(default user)';
  const owner = user(ownerUrl);
  const system = systemUrl ? user(systemUrl) : owner;
  const parts = [
    systemUrl ? `${owner} (migrations)` : `${owner} (migrations, cross-tenant work)`,
    ...(systemUrl ? [`${system} (cross-tenant work)`] : []),
    appUrl ? `${user(appUrl)} (tenant queries)` : `${system} as herald_app in tenant transactions`,
  ];
  const missing = [systemUrl ? '' : 'herald_system', appUrl ? '' : 'herald_app'].filter(Boolean);
  return missing.length
    ? `${parts.join(', ')} (it may not set up the ${missing.join(' and ')} login)`
    : parts.join(', ');
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}
