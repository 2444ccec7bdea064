// Real brokers and databases are slower than mocks: one generous bound for every integration test.
import { createKafka, ensureTopics } from '@herald/platform';

jest.setTimeout(60_000);

// Registry topics exist before any test, partitioned as in a default deployment.
beforeAll(async () => {
  const brokers = process.env.HERALD_TEST_KAFKA_BROKERS;
  if (!brokers) return;
  const admin = createKafka({ brokers: brokers.split(','), clientId: 'herald-test-setup' }).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, { partitions: 6, retentionMs: -1 });
  } finally {
    await admin.disconnect();
  }
});
