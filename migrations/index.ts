/** Every migration, in order. Explicit so the same list works from sources and from dist/. */
import { TenancyBase1764072000000 } from './1764072000000-tenancy-base';
import { EventPipeline1764075600000 } from './1764075600000-event-pipeline';
import { Access1764158400000 } from './1764158400000-access';
import { QueryIndexes1764162000000 } from './1764162000000-query-indexes';
import { Webhooks1764244800000 } from './1764244800000-webhooks';
import { ReadModelNotifications1764331200000 } from './1764331200000-read-model-notifications';
import { ReadModelWrites1764417600000 } from './1764417600000-read-model-writes';
import { DeliveryClaims1764504000000 } from './1764504000000-delivery-claims';
import { DeliveryForeignKeys1764590400000 } from './1764590400000-delivery-foreign-keys';
import { LeastPrivilege1764676800000 } from './1764676800000-least-privilege';
import { DeadLetterRedrives1764680400000 } from './1764680400000-dead-letter-redrives';
import { SystemLogin1764759600000 } from './1764759600000-system-login';
import { TenantAdmins1764763200000 } from './1764763200000-tenant-admins';
import { KeyManagementScopes1764766800000 } from './1764766800000-key-management-scopes';
import { ManagementApi1764770400000 } from './1764770400000-management-api';
import { EventsFeedPositions1764774000000 } from './1764774000000-events-feed-positions';
import { OAuthClients1764777600000 } from './1764777600000-oauth-clients';
import { QuotaDays1764784800000 } from './1764784800000-quota-days';
import { OAuthTokenExpiry1764788400000 } from './1764788400000-oauth-token-expiry';
import { EventItemPrefix1765008000000 } from './1765008000000-event-item-prefix';
import { LoginFailures1765094400000 } from './1765094400000-login-failures';
import { DeliveryFillfactor1765180800000 } from './1765180800000-delivery-fillfactor';
import { EndpointVersions1765267200000 } from './1765267200000-endpoint-versions';

export const MIGRATIONS = [
  TenancyBase1764072000000,
  EventPipeline1764075600000,
  Access1764158400000,
  QueryIndexes1764162000000,
  Webhooks1764244800000,
  ReadModelNotifications1764331200000,
  ReadModelWrites1764417600000,
  DeliveryClaims1764504000000,
  DeliveryForeignKeys1764590400000,
  LeastPrivilege1764676800000,
  DeadLetterRedrives1764680400000,
  SystemLogin1764759600000,
  TenantAdmins1764763200000,
  KeyManagementScopes1764766800000,
  ManagementApi1764770400000,
  EventsFeedPositions1764774000000,
  OAuthClients1764777600000,
  QuotaDays1764784800000,
  OAuthTokenExpiry1764788400000,
  EventItemPrefix1765008000000,
  LoginFailures1765094400000,
  DeliveryFillfactor1765180800000,
  EndpointVersions1765267200000,
];
