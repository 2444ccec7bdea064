/**
 * `herald replay projections --projection <events|users|posts|all> (--from-offset N | --from-time ISO)`:
 * rebuilds read models from the public topic against a running system, with a progress bar.
 *
 * `herald replay deliveries --tenant T --endpoint ID --from-time ISO [--to-time ISO]`:
 * re-delivers the history of the public topic to one webhook endpoint, with a progress bar.
 */
import { createDataSource, createKafka, DomainError } from '@herald/platform';
import { ProjectionReplayer, ReplayFrom, ReplayResult } from '@herald/events';
import { parseReplayWindow, ReplayDeliveriesHandler, ReplayDeliveriesResult } from '@herald/webhooks';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { CliError, connectedConfig, output, OutputOptions } from '../cli-context';

interface ReplayOptions extends OutputOptions {
  projection: string;
  fromOffset?: string;
  fromTime?: string;
}

interface ReplayDeliveriesOptions extends OutputOptions {
  tenant: string;
  endpoint: string;
  fromTime: string;
  toTime?: string;
}

export function parseFrom(opts: { fromOffset?: string; fromTime?: string }): ReplayFrom {
  if ((opts.fromOffset === undefined) === (opts.fromTime === undefined)) {
    throw new CliError('give exactly one of --from-offset N or --from-time ISO');
  }
  if (opts.fromOffset !== undefined) {
    if (!/^\d+$/.test(opts.fromOffset))
      throw new CliError(`--from-offset must be a non-negative integer (got "${opts.fromOffset}")`);
    return { offset: BigInt(opts.fromOffset) };
  }
  const time = new Date(opts.fromTime!);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(opts.fromTime!) || Number.isNaN(time.getTime())) {
    throw new CliError(
      `--from-time must be an ISO 8601 time like 2026-05-28T12:00:00Z (got "${opts.fromTime}")`,
    );
  }
  return { time };
}

export function registerReplay(program: Command): void {
  const replay = program
    .command('replay')
    .description('rebuild read models or re-deliver history from Kafka offsets');
  replay
    .command('projections')
    .description(
      'rebuild read models from the public topic (a running projector is paused, reset and resumed)',
    )
    .requiredOption('--projection <name>', 'events, users, posts or all')
    .option('--from-offset <n>', 'start every partition at this offset (0 rebuilds from scratch)')
    .option('--from-time <iso>', 'start every partition at the first event at or after this time')
    .option('--json', 'machine-readable output')
    .action(async (opts: ReplayOptions) => {
      const names = (() => {
        try {
          return ProjectionReplayer.names(opts.projection);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
      })();
      const from = parseFrom(opts);
      const config = connectedConfig({ database: true, kafka: true });
      const ds = await createDataSource({ url: config.databaseUrl!, poolSize: 4 }).initialize();
      const kafka = createKafka({ brokers: config.kafkaBrokers!, clientId: 'herald-replay' });
      const admin = kafka.admin();
      await admin.connect();
      const results: ReplayResult[] = [];
      try {
        const replayer = new ProjectionReplayer(ds, admin, kafka);
        for (const name of names) {
          const bar =
            opts.json || !process.stderr.isTTY
              ? undefined
              : new SingleBar(
                  {
                    format: `${name.padEnd(6)} [{bar}] {percentage}% {value}/{total} events`,
                    stream: process.stderr,
                  },
                  Presets.shades_classic,
                );
          let started = false;
          const result = await replayer.replay(name, from, (p) => {
            if (!bar) return;
            if (!started) {
              bar.start(Number(p.total), 0);
              started = true;
            }
            bar.update(Number(p.done));
          });
          bar?.stop();
          results.push(result);
          if (!opts.json) {
            process.stdout.write(
              `${name}: replayed ${result.events} events in ${(result.duration_ms / 1000).toFixed(1)}s` +
                `${result.rebuilt_from_scratch ? ' (rebuilt from scratch)' : ''}` +
                `${result.ran_in_process ? ' (no projector was running: rebuilt in-process)' : ''}\n`,
            );
          }
        }
        if (opts.json) output(opts, { replayed: results }, '');
      } finally {
        await admin.disconnect();
        await ds.destroy();
      }
    });

  replay
    .command('deliveries')
    .description(
      "send one webhook endpoint the tenant's events of a time window again, read from the public topic",
    )
    .requiredOption('--tenant <slug>', 'the tenant of the endpoint')
    .requiredOption('--endpoint <id>', 'the endpoint (ep_…); it must be enabled')
    .requiredOption('--from-time <iso>', 'events created at or after this RFC 3339 time')
    .option('--to-time <iso>', 'events created before this time (default: all, up to the end of the log now)')
    .option('--json', 'machine-readable output')
    .action(async (opts: ReplayDeliveriesOptions) => {
      const window = (() => {
        try {
          return parseReplayWindow(opts);
        } catch (err) {
          return oneLine(err);
        }
      })();
      const config = connectedConfig({ database: true, kafka: true });
      const ds = await createDataSource({ url: config.databaseUrl!, poolSize: 2 }).initialize();
      const kafka = createKafka({ brokers: config.kafkaBrokers!, clientId: 'herald-replay' });
      const bar =
        opts.json || !process.stderr.isTTY
          ? undefined
          : new SingleBar(
              { format: `records [{bar}] {percentage}% {value}/{total}`, stream: process.stderr },
              Presets.shades_classic,
            );
      let started = false;
      try {
        const result = await new ReplayDeliveriesHandler(ds, kafka, config.retrySchedule)
          .execute(opts.tenant, opts.endpoint, window, (p) => {
            if (!bar || p.total === 0) return;
            if (!started) {
              bar.start(p.total, 0);
              started = true;
            }
            bar.update(p.done);
          })
          .catch(oneLine);
        bar?.stop();
        output(opts, result, replayedDeliveriesLine(result));
      } finally {
        bar?.stop();
        await ds.destroy();
      }
    });
}

/** Unknown tenant or endpoint, a disabled endpoint, a bad window: one line, as every CLI error. */
function oneLine(err: unknown): never {
  throw err instanceof DomainError ? new CliError(err.message) : err;
}

function replayedDeliveriesLine(r: ReplayDeliveriesResult): string {
  return (
    `replayed ${r.matched} events to endpoint ${r.endpoint} of tenant ${r.tenant} ` +
    `(${r.created} new deliveries, ${r.reset} re-sent) from ${r.from} to ${r.to}`
  );
}
