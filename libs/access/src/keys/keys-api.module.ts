/**
 * The API key management routes of the public API: list, read, create (the key shown
 * once), revoke, and per-hour usage. Served by the gateway; the CLI's `herald keys` works
 * on the same repository.
 */
import { Module } from '@nestjs/common';
import { CursorCodec, HERALD_CONFIG, HeraldConfig } from '@herald/platform';
import { AccessModule } from '../access.module';
import { CreateKeyHandler } from './create-key/create-key.handler';
import { CreateKeyHttpController } from './create-key/create-key.http.controller';
import { GetKeyHttpController } from './get-key/get-key.http.controller';
import { GetKeyQuery } from './get-key/get-key.query';
import { GetKeyUsageHttpController } from './get-key-usage/get-key-usage.http.controller';
import { GetKeyUsageQuery } from './get-key-usage/get-key-usage.query';
import { ListKeysHttpController } from './list-keys/list-keys.http.controller';
import { ListKeysQuery } from './list-keys/list-keys.query';
import { RevokeKeyHandler } from './revoke-key/revoke-key.handler';
import { RevokeKeyHttpController } from './revoke-key/revoke-key.http.controller';

@Module({
  imports: [AccessModule],
  controllers: [
    ListKeysHttpController,
    CreateKeyHttpController,
    GetKeyHttpController,
    GetKeyUsageHttpController,
    RevokeKeyHttpController,
  ],
  providers: [
    {
      provide: CursorCodec,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => CursorCodec.fromMasterKey(config.masterKey),
    },
    ListKeysQuery,
    GetKeyQuery,
    GetKeyUsageQuery,
    CreateKeyHandler,
    RevokeKeyHandler,
  ],
})
export class KeysApiModule {}
