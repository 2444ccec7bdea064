/** Process-wide Kafka access for Nest roles: one client, one admin, one producer, tracked consumers. */
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { HERALD_CONFIG, HeraldConfig } from '../config';
import { HERALD_LOGGER } from '../logging';
import { HeraldMetrics, Sample, throttled } from '../metrics/herald-metrics';
import {
  ConsumerFactory,
  ConsumerSpec,
  groupLag,
  HeraldConsumer,
  lowWatermarkOf,
  PartitionLag,
} from './consumer';
import { createKafka } from './kafka.client';
import { HeraldProducer } from './producer';
import { ensureTopics } from './topic-admin';

@Injectable()
export class KafkaService implements OnModuleInit, OnApplicationShutdown, ConsumerFactory {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: HeraldProducer;
  private consumers: Array<HeraldConsumer<unknown>> = [];
  private readonly logger: Logger;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(HERALD_LOGGER) logger: Logger,
    private readonly metrics: HeraldMetrics,
  ) {
    if (!config.kafkaBrokers) throw new Error('KAFKA_BROKERS is not set');
    this.logger = logger.child({ component: 'kafka' });
    this.kafka = createKafka({ brokers: config.kafkaBrokers, clientId: config.kafka.clientId }, this.logger);
    this.admin = this.kafka.admin();
    this.producer = new HeraldProducer(this.kafka);
    metrics.addConsumerLagSource(throttled(() => this.consumerLag()));
  }

  async onModuleInit(): Promise<void> {
    await this.admin.connect();
    await ensureTopics(this.admin, {
      partitions: this.config.kafka.partitions,
      retentionMs: this.config.kafka.retentionMs,
    });
    await this.producer.connect();
  }

  /** Creates and starts a consumer; it is stopped with the application. */
  async startConsumer<T>(spec: ConsumerSpec<T>): Promise<HeraldConsumer<T>> {
    const consumer = new HeraldConsumer<T>(
      this.kafka,
      this.producer,
      spec,
      this.logger.child({ group: spec.groupId }),
      this.metrics,
    );
    // Consumers stopped before the application (a projector's catch-up runners) are let go.
    this.consumers = this.consumers.filter((c) => !c.isStopped);
    this.consumers.push(consumer);
    await consumer.start();
    return consumer;
  }

  /** The running consumer of a group in this process, if any (started here or by the transport). */
  running(groupId: string): HeraldConsumer<unknown> | undefined {
    return this.consumers.find((c) => c.groupId === groupId && !c.isStopped);
  }

  lowWatermark(topic: string, partition: number): Promise<bigint> {
    return lowWatermarkOf(this.admin, topic, partition);
  }

  async ping(): Promise<{ brokers: number; controller: number | null }> {
    const cluster = await this.admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller };
  }

  lag(groupId: string, topics: string[]): Promise<PartitionLag[]> {
    return groupLag(this.admin, groupId, topics);
  }

  /** The lag of every group this process runs a consumer in (one member's view suffices). */
  private async consumerLag(): Promise<Array<Sample<'group' | 'topic' | 'partition'>>> {
    const groups = new Map<string, readonly string[]>();
    for (const c of this.consumers) if (!c.isStopped) groups.set(c.groupId, c.topics);
    const out: Array<Sample<'group' | 'topic' | 'partition'>> = [];
    for (const [group, topics] of groups) {
      for (const p of await groupLag(this.admin, group, [...topics])) {
        out.push({ labels: { group, topic: p.topic, partition: p.partition }, value: p.lag });
      }
    }
    return out;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const c of this.consumers.splice(0)) await c.stop().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }
}
