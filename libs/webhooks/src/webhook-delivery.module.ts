/**
 * The delivery side of webhooks, run by the dispatcher role: the dispatcher consumer and
 * this process's delivery workers, woken by `herald_deliveries` notifications (replays,
 * test events) and kept fresh by `herald_webhook_endpoints` and `herald_tenant_settings` ones.
 */
import { Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  HERALD_CONFIG,
  HERALD_LOGGER,
  HeraldConfig,
  HeraldMetrics,
  PgListener,
  systemDatabaseUrl,
  throttled,
} from '@herald/platform';
import * as fs from 'node:fs';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { DeliverySettingsCache } from './delivery/delivery-settings';
import { DeliveryStore } from './delivery/delivery-store';
import { DeliveryWorkers } from './delivery/delivery-workers';
import { EndpointRegistry } from './delivery/endpoint-registry';
import { WebhookSender } from './delivery/webhook-sender';
import { DELIVERIES_WAKE_CHANNEL } from './deliveries/replay-delivery/replay-delivery.handler';
import { Dispatcher } from './dispatcher/dispatcher';
import { SecretBox } from './secrets/secret-box';
import { SsrfGuard } from './ssrf/ssrf-guard';
import { WebhooksCoreModule } from './webhooks-core.module';

export const ENDPOINTS_CHANNEL = 'herald_webhook_endpoints';
/** Announced by a trigger on `tenant_settings`; the payload is the tenant. */
export const TENANT_SETTINGS_CHANNEL = 'herald_tenant_settings';

@Injectable()
export class WebhookDeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly workers: DeliveryWorkers;
  readonly dispatcher: Dispatcher;
  private readonly sender: WebhookSender;
  private readonly notifications: PgListener;
  private readonly registry: EndpointRegistry;

  constructor(
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    @Inject(HERALD_LOGGER) logger: Logger,
    ds: DataSource,
    box: SecretBox,
    guard: SsrfGuard,
    metrics: HeraldMetrics,
  ) {
    const log = logger.child({ component: 'webhooks' });
    const store = new DeliveryStore(ds);
    const settings = new DeliverySettingsCache(ds, config.retrySchedule);
    this.registry = new EndpointRegistry(ds, box);
    this.sender = new WebhookSender(guard, extraCaCertificates(config));
    const d = config.webhookDelivery;
    this.workers = new DeliveryWorkers(
      store,
      this.registry,
      settings,
      this.sender,
      {
        endpointConcurrency: d.endpointConcurrency,
        pollIntervalMs: d.pollIntervalMs,
        backlogBusy: d.backlogBusyPercent / 100,
        breaker: {
          resetMs: d.breakerResetMs,
          volumeThreshold: d.breakerVolumeThreshold,
          errorPercent: d.breakerErrorPercent,
          windowMs: d.breakerWindowMs,
        },
      },
      log.child({ part: 'workers' }),
      metrics,
    );
    metrics.addOldestPendingSource(throttled(() => store.oldestPendingAgeSeconds()));
    this.dispatcher = new Dispatcher(
      ds,
      store,
      settings,
      this.workers.admission,
      log.child({ part: 'dispatcher' }),
    );
    this.notifications = new PgListener({
      databaseUrl: systemDatabaseUrl(config) as string,
      applicationName: 'herald-webhook-listener',
      channels: {
        [DELIVERIES_WAKE_CHANNEL]: () => this.workers.wake(),
        [ENDPOINTS_CHANNEL]: (tenant) => this.registry.invalidate(tenant),
        [TENANT_SETTINGS_CHANNEL]: (tenant) => settings.invalidate(tenant),
      },
      // Changes announced while the connection was down are gone: forget every cached endpoint and setting.
      onUp: () => {
        this.registry.invalidateAll();
        settings.invalidateAll();
      },
      logger: log,
      lostMessage: 'webhook listener lost its connection; retrying (due work is still found by polling)',
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.notifications.start();
    this.workers.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.dispatcher.stop();
    await this.workers.stop();
    await this.notifications.stop();
    await this.sender.close();
  }
}

/**
 * CA certificates receivers may chain to besides the bundled roots: `HERALD_WEBHOOK_CA_FILE`
 * and `NODE_EXTRA_CA_CERTS`, both, as any Node HTTPS client trusts the latter. Node loads
 * `NODE_EXTRA_CA_CERTS` only at process start and only into its default context, which a
 * context built from `tls.rootCertificates` does not include, so the file is read here.
 */
export function extraCaCertificates(config: HeraldConfig): string[] | undefined {
  const files = [config.webhookCaFile, config.nodeExtraCaCerts].filter((f): f is string => !!f);
  return files.length > 0 ? files.map((f) => fs.readFileSync(f, 'utf8')) : undefined;
}

@Module({
  imports: [WebhooksCoreModule],
  providers: [WebhookDeliveryService],
  exports: [WebhookDeliveryService],
})
export class WebhookDeliveryModule {}
