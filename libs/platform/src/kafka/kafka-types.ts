/**
 * The kafkajs types the context libraries work with. kafkajs itself stays inside the
 * platform (the lint rule of eslint.dependencies.cjs); these are the only names of it
 * anything else sees.
 */
export type { Admin, Kafka, KafkaMessage } from 'kafkajs';
