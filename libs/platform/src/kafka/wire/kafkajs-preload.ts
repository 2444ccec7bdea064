/**
 * Imported before kafkajs itself (first thing in every module here that loads kafkajs):
 * puts a linear `groupMessagesPerPartition` in the module cache, where kafkajs's producer
 * will find it. kafkajs 2.2.4's own copies every partition's array for each message it
 * adds (`[...current, message]`), quadratic in the messages per partition of a send: a
 * few percent of the CPU of the roles that produce batches of hundreds. Same result:
 * per partition, its messages in the order given.
 *
 * kafkajs binds the function when its producer module loads, so this works only when it
 * runs first; when kafkajs was loaded before, it changes nothing and kafkajs's own is used.
 * Like every fast path, only for the kafkajs version it was written for, and not at all
 * with `HERALD_FAST_PATHS=0` (see fast-paths/fast-paths.ts).
 */
import type { Message, PartitionMetadata } from 'kafkajs';
import { fastPaths } from '../../fast-paths/fast-paths';

type Partitioner = (args: {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  message: Message;
}) => number;

export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  messages: Message[];
  partitioner: Partitioner;
}): Record<number, Message[]> {
  const out: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return out;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (out[partition] ??= []).push(message);
  }
  return out;
}

/* eslint-disable @typescript-eslint/no-require-imports -- the module cache kafkajs's own require reads */
const NodeModule = require('node:module') as typeof import('node:module') & {
  new (id: string, parent?: unknown): NodeJS.Module;
};
const target = require.resolve('kafkajs/src/producer/groupMessagesPerPartition');
const sendMessages = require.resolve('kafkajs/src/producer/sendMessages');
/* eslint-enable @typescript-eslint/no-require-imports */

// Puts the linear grouping where kafkajs's producer will require it, unless that already happened.
if (fastPaths().kafkajs && !require.cache[sendMessages]) {
  const entry = new NodeModule(target, module);
  entry.filename = target;
  entry.loaded = true;
  entry.exports = groupMessagesPerPartition;
  require.cache[target] = entry;
}
