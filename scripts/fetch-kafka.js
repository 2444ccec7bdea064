#!/usr/bin/env node
// Fetches the pinned Kafka broker jars (infra/kafka) at install time so the first
// `npm start` does not wait on Maven. With --soft, a machine without Java/Maven
// (Docker users, KAFKA_BROKERS users) only gets a warning.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const soft = process.argv.includes('--soft');
const root = path.resolve(__dirname, '..');

if (process.env.HERALD_SKIP_KAFKA_FETCH === '1') process.exit(0);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
if (!has('java') || !has('mvn')) {
  const msg =
    'herald: java and mvn not found; the embedded Kafka broker is unavailable (set KAFKA_BROKERS or use docker-compose)';
  if (soft) {
    console.warn(msg);
    process.exit(0);
  }
  console.error(msg);
  process.exit(1);
}

const res = spawnSync('bash', [path.join(root, 'infra/kafka/kafka.sh'), 'fetch'], {
  stdio: 'inherit',
  cwd: root,
});
if (res.status !== 0) {
  const msg = 'herald: fetching the Kafka broker jars failed (see above); `npm start` will retry';
  if (soft) {
    console.warn(msg);
    process.exit(0);
  }
  console.error(msg);
  process.exit(1);
}
