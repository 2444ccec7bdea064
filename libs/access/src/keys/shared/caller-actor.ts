/** Who changed a key, for the audit log and `created_by`: the one place that says so. */
import type { ApiCaller } from '@herald/platform';

export const callerActor = (caller: ApiCaller): string => caller.actor;
