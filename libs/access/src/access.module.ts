/** Access control of the public API: API keys, the tenant/key/scope guard, rate limits, usage. */
import { Module } from '@nestjs/common';

@Module({})
export class AccessModule {}
