/**
 * The one place kafkajs is touched directly. Everything else uses the small
 * surface here (producer, consumer base, topic admin), so the client could be swapped.
 */
import './wire/kafkajs-preload'; // before kafkajs: see there
import { Kafka, logLevel as KafkaLogLevel, LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { installKafkajsFastPaths } from './wire/kafkajs-fast-paths';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

export function createKafka(conn: KafkaConnection, logger?: Logger): Kafka {
  installKafkajsFastPaths();
  const log = logger?.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: conn.clientId,
    brokers: conn.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: log ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        if (!log) return;
        const { message, ...rest } = entry;
        // The idempotent producer keeps a bounded retry budget on purpose (an append must fail
        // rather than hang); duplicates that a retry could cause are absorbed by deterministic ids.
        if (typeof message === 'string' && message.startsWith('Limiting retries for the idempotent producer'))
          return;
        const name = LEVEL_NAMES[level] ?? 'info';
        log[name]({ kafka: rest }, message);
      },
  });
}
