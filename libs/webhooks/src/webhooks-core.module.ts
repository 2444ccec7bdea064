/** What both sides of webhooks share: the secret box over the master keys and the SSRF guard. */
import { Module } from '@nestjs/common';
import { HERALD_CONFIG, HeraldConfig } from '@herald/platform';
import { MasterKeyring } from './secrets/master-keyring';
import { SecretBox } from './secrets/secret-box';
import { HOST_RESOLVER, HostResolver, SsrfGuard } from './ssrf/ssrf-guard';
import { SystemHostResolver } from './ssrf/system-host-resolver';

@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) =>
        new SecretBox(MasterKeyring.fromConfig(config.masterKey, config.previousMasterKeys)),
    },
    { provide: HOST_RESOLVER, useFactory: (): HostResolver => new SystemHostResolver() },
    {
      provide: SsrfGuard,
      inject: [HERALD_CONFIG, HOST_RESOLVER],
      useFactory: (config: HeraldConfig, resolver: HostResolver) =>
        new SsrfGuard(config.webhookAllowCidrs, resolver, config.webhookAllowOrigins),
    },
  ],
  exports: [SecretBox, HOST_RESOLVER, SsrfGuard],
})
export class WebhooksCoreModule {}
