/**
 * `herald deliveries replay <id>`: sends one webhook delivery again, as the API's replay
 * route does (the same code, in the delivery's tenant scope). Operators know only the
 * delivery id, so its tenant is looked up first.
 */
import { createDataSource, DomainError } from '@herald/platform';
import { ReplayDeliveryHandler, WebhookDeliveryResponseDto } from '@herald/webhooks';
import type { Command } from 'commander';
import { CliError, connectedConfig, output, OutputOptions } from '../cli-context';

export function registerDeliveries(program: Command): void {
  const deliveries = program.command('deliveries').description('inspect and replay webhook deliveries');

  deliveries
    .command('replay <id>')
    .description(
      'send a delivery again now (a succeeded, dead or cancelled one gets a fresh run of attempts)',
    )
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: OutputOptions) => {
      const config = connectedConfig({ database: true });
      const ds = await createDataSource({ url: config.databaseUrl!, poolSize: 1 }).initialize();
      try {
        const { tenant, delivery } = await new ReplayDeliveryHandler(
          ds,
          config.retrySchedule,
        ).executeForOperator(id);
        output(opts, { tenant, ...delivery }, replayedLine(tenant, delivery));
      } catch (err) {
        // Unknown delivery, disabled endpoint: one line, as for every CLI error.
        if (err instanceof DomainError) throw new CliError(err.message);
        throw err;
      } finally {
        await ds.destroy();
      }
    });
}

function replayedLine(tenant: string, d: WebhookDeliveryResponseDto): string {
  const next = d.next_attempt_at === null ? 'no attempt scheduled' : `next attempt at ${d.next_attempt_at}`;
  return (
    `replayed delivery ${d.id} of tenant ${tenant} (endpoint ${d.endpoint_id}, event ${d.event_id}): ` +
    `${d.status}, ${d.attempt_count} of ${d.max_attempts} attempts made, ${next}`
  );
}
