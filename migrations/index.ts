/** Every migration, in order. Explicit so the same list works from sources and from dist/. */
import { TenancyBase1764072000000 } from './1764072000000-tenancy-base';

export const MIGRATIONS = [TenancyBase1764072000000];
