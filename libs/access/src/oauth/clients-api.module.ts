/**
 * The OAuth client management routes of the public API: list, read, create (the secret
 * shown once), revoke, and per-hour usage of a client's tokens. Served by the gateway;
 * the CLI's `herald clients` works on the same repository. Guarded by the key scopes
 * (`keys:read`, `keys:manage`): a client is another credential of the tenant.
 */
import { Module } from '@nestjs/common';
import { CursorCodec, HERALD_CONFIG, HeraldConfig } from '@herald/platform';
import { AccessModule } from '../access.module';
import { GetKeyQuery } from '../keys/get-key/get-key.query';
import { CreateClientHandler } from './create-client/create-client.handler';
import { CreateClientHttpController } from './create-client/create-client.http.controller';
import { GetClientHttpController } from './get-client/get-client.http.controller';
import { GetClientQuery } from './get-client/get-client.query';
import { GetClientUsageHttpController } from './get-client-usage/get-client-usage.http.controller';
import { GetClientUsageQuery } from './get-client-usage/get-client-usage.query';
import { ListClientsHttpController } from './list-clients/list-clients.http.controller';
import { ListClientsQuery } from './list-clients/list-clients.query';
import { RevokeClientHandler } from './revoke-client/revoke-client.handler';
import { RevokeClientHttpController } from './revoke-client/revoke-client.http.controller';

@Module({
  imports: [AccessModule],
  controllers: [
    ListClientsHttpController,
    CreateClientHttpController,
    GetClientHttpController,
    GetClientUsageHttpController,
    RevokeClientHttpController,
  ],
  providers: [
    {
      provide: CursorCodec,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => CursorCodec.fromMasterKey(config.masterKey),
    },
    ListClientsQuery,
    GetClientQuery,
    GetClientUsageQuery,
    GetKeyQuery,
    CreateClientHandler,
    RevokeClientHandler,
  ],
})
export class ClientsApiModule {}
