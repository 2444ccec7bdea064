/** `herald topics describe`: partitions, leaders and offsets of every Herald topic. */
import { TOPIC_SPECS } from '@herald/contracts';
import { createKafka, describeTopics } from '@herald/platform';
import type { Command } from 'commander';
import { connectedConfig, output, OutputOptions } from '../cli-context';

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('inspect Kafka topics');
  topics
    .command('describe')
    .description('partitions, leaders and offsets of every Herald topic')
    .option('--json', 'machine-readable output')
    .action(async (opts: OutputOptions) => {
      const config = connectedConfig({ kafka: true });
      const admin = createKafka({ brokers: config.kafkaBrokers!, clientId: 'herald-cli' }).admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const names: string[] = TOPIC_SPECS.map((s) => s.name).filter((n) => existing.has(n));
        const described = (await describeTopics(admin, names)).sort(
          (a, b) => names.indexOf(a.name) - names.indexOf(b.name),
        );
        const missing = TOPIC_SPECS.map((s) => s.name).filter((n) => !existing.has(n));
        const human = [
          ...described.map(
            (t) =>
              `${t.name}\n` +
              t.partitions
                .map((p) => `  partition ${p.partition}  leader ${p.leader}  offsets ${p.low}..${p.high}`)
                .join('\n'),
          ),
          ...missing.map((n) => `${n}\n  (missing: created by herald dev or any role at boot)`),
        ].join('\n');
        output(opts, { topics: described, missing }, human);
      } finally {
        await admin.disconnect();
      }
    });
}
