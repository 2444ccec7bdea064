/** Dispatcher: public events → webhook deliveries (consumer group on the public topic). */
import { Module } from '@nestjs/common';

@Module({})
export class DispatcherModule {}
