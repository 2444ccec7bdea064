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

/* eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's own table of protocol errors */
const { errorCodes } = require('kafkajs/src/protocol/error') as {
  errorCodes: Array<{ message: string; retriable: boolean }>;
};

/**
 * Messages of the protocol errors kafkajs retries by itself (a coordinator still loading
 * or moving, a leader being elected): every broker start and rebalance answers a few
 * requests with one. kafkajs logs each such answer as an error before retrying it; one
 * that keeps failing reaches the caller, which reports it, so these lines go to debug.
 */
const RETRIED_BY_KAFKAJS = new Set(errorCodes.filter((e) => e.retriable).map((e) => e.message));

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
    logCreator: () => (log ? kafkajsLogTo(log) : () => undefined),
  });
}

/** Where kafkajs's log entries go: the role's logger, at their level, minus the noise above. */
export function kafkajsLogTo(log: Pick<Logger, 'error' | 'warn' | 'info' | 'debug'>): (e: LogEntry) => void {
  return ({ level, log: entry }) => {
    const { message, ...rest } = entry;
    // The idempotent producer keeps a bounded retry budget on purpose (an append must fail
    // rather than hang); duplicates that a retry could cause are absorbed by deterministic ids.
    if (typeof message === 'string' && message.startsWith('Limiting retries for the idempotent producer'))
      return;
    const retried =
      typeof message === 'string' &&
      message.startsWith('Response ') &&
      typeof rest.error === 'string' &&
      RETRIED_BY_KAFKAJS.has(rest.error);
    const name = retried ? 'debug' : (LEVEL_NAMES[level] ?? 'info');
    log[name]({ kafka: rest }, message);
  };
}
