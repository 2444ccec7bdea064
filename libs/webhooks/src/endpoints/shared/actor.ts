/**
 * Who changed an endpoint, for the audit log: the API key (`key:<id>`), the admin of a console
 * session (`admin:<email>`) or an operator of the CLI.
 */
import type { ApiCaller } from '@herald/platform';

export interface Actor {
  tenant: string;
  actor: string;
}

export const keyActor = (caller: ApiCaller): Actor => ({
  tenant: caller.tenant,
  actor: caller.actor,
});
