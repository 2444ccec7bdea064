/**
 * `herald deadletters list [--since ISO]`: the records of the dead-letter topic, oldest first.
 *
 * `herald deadletters redrive <offset|--all> [--since ISO]`: appends the originals again to
 * the topics they came from, once their cause is fixed; an original is re-appended at most
 * once, however often it is redriven. A progress bar shows on a terminal.
 */
import { Topics } from '@herald/contracts';
import {
  DeadLetterRecord,
  DeadLetters,
  deadLetterView,
  DeadLetterView,
  RedriveOutcome,
  sourceId,
} from '@herald/events';
import { createDataSource, createKafka, DomainError, RangeProgress } from '@herald/platform';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { CliError, connectedConfig, output, OutputOptions } from '../cli-context';

interface ListOptions extends OutputOptions {
  since?: string;
}

interface RedriveOptions extends ListOptions {
  all?: boolean;
}

export function parseSince(since: string | undefined): Date | undefined {
  if (since === undefined) return undefined;
  const time = new Date(since);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(since) || Number.isNaN(time.getTime())) {
    throw new CliError(`--since must be an ISO 8601 time like 2026-05-28T12:00:00Z (got "${since}")`);
  }
  return time;
}

export function parseRedriveTarget(offset: string | undefined, opts: RedriveOptions): bigint | 'all' {
  if ((offset === undefined) === !opts.all) throw new CliError('give exactly one of <offset> or --all');
  if (opts.all) return 'all';
  if (opts.since !== undefined) throw new CliError('--since goes with --all, not with an offset');
  if (!/^\d+$/.test(offset!)) throw new CliError(`offset must be a non-negative integer (got "${offset}")`);
  return BigInt(offset!);
}

export function registerDeadLetters(program: Command): void {
  const deadletters = program
    .command('deadletters')
    .description(`inspect and re-drive the records of ${Topics.deadLetter}`);

  deadletters
    .command('list')
    .description('list dead letters, oldest first: reason, where the original was, its key and first bytes')
    .option('--since <iso>', 'only records dead-lettered at or after this time')
    .option('--json', 'machine-readable output: one JSON array of records')
    .action(async (opts: ListOptions) => {
      const since = parseSince(opts.since);
      await withDeadLetters(async (dl) => {
        const records = await withBar(opts, 'reading', (p) => dl.read(since, p));
        const redriven = await dl.redrivenAt(records);
        const views = records.map((r) =>
          deadLetterView(r, (r.source && redriven.get(sourceId(r.source))) ?? null),
        );
        output(opts, views, views.length === 0 ? 'no dead letters' : table(views));
      });
    });

  deadletters
    .command('redrive')
    .argument('[offset]', `the record's offset in ${Topics.deadLetter}, as \`list\` shows it`)
    .description(
      'append a dead letter (or --all) again to the topic it came from, once its cause is fixed; ' +
        'an original is appended at most once however often it is redriven',
    )
    .option('--all', 'every dead letter (with --since: every one from that time on)')
    .option('--since <iso>', 'with --all: only records dead-lettered at or after this time')
    .option('--json', 'machine-readable output: {"redriven": [outcome, …]}')
    .action(async (offset: string | undefined, opts: RedriveOptions) => {
      const target = parseRedriveTarget(offset, opts);
      const since = parseSince(opts.since);
      await withDeadLetters(async (dl) => {
        let records: DeadLetterRecord[];
        try {
          records =
            target === 'all'
              ? await withBar(opts, 'reading', (p) => dl.read(since, p))
              : [await dl.at(target)];
        } catch (err) {
          // An offset the topic does not hold: one line, as every CLI error.
          if (err instanceof DomainError) throw new CliError(err.message);
          throw err;
        }
        const outcomes = await withBar(opts, 'redriving', (p) => dl.redrive(records, p));
        output(
          opts,
          { redriven: outcomes },
          outcomes.length === 0 ? 'no dead letters to redrive' : outcomes.map(outcomeLine).join('\n'),
        );
      });
    });
}

async function withDeadLetters(fn: (dl: DeadLetters) => Promise<void>): Promise<void> {
  const config = connectedConfig({ database: true, kafka: true });
  const ds = await createDataSource({ url: config.databaseUrl!, poolSize: 2 }).initialize();
  const kafka = createKafka({ brokers: config.kafkaBrokers!, clientId: 'herald-deadletters' });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await fn(new DeadLetters(ds, kafka, admin));
  } finally {
    await admin.disconnect();
    await ds.destroy();
  }
}

/** A progress bar on stderr while `work` runs, on a terminal and without --json only. */
async function withBar<T>(
  opts: OutputOptions,
  label: string,
  work: (onProgress: (p: RangeProgress) => void) => Promise<T>,
): Promise<T> {
  const bar =
    opts.json || !process.stderr.isTTY
      ? undefined
      : new SingleBar(
          { format: `${label} [{bar}] {percentage}% {value}/{total} records`, stream: process.stderr },
          Presets.shades_classic,
        );
  let started = false;
  try {
    return await work((p) => {
      if (!bar || p.total === 0) return;
      if (!started) {
        bar.start(p.total, 0);
        started = true;
      }
      bar.update(p.done);
    });
  } finally {
    bar?.stop();
  }
}

const REASON_WIDTH = 50;

function table(views: DeadLetterView[]): string {
  const rows = [
    ['OFFSET', 'TIME', 'REASON', 'SOURCE', 'KEY', 'REDRIVEN', 'VALUE'],
    ...views.map((v) => [
      v.offset,
      v.time,
      clip(v.reason ?? '-', REASON_WIDTH),
      v.source_topic === null ? '-' : `${v.source_topic}/${v.source_partition}@${v.source_offset}`,
      v.key ?? '-',
      v.redriven_at ?? '-',
      v.value_preview,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function clip(text: string, width: number): string {
  // Reasons are one line already; a control character must not reach the terminal either.
  const flat = [...text].map((c) => (c < ' ' || c === '\u007f' ? ' ' : c)).join('');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function outcomeLine(o: RedriveOutcome): string {
  const source = o.source_topic === null ? '' : `${o.source_topic}/${o.source_partition}@${o.source_offset}`;
  switch (o.status) {
    case 'redriven':
      return (
        `offset ${o.offset}: redriven to ${o.source_topic}` +
        (o.still_failing === null
          ? ''
          : ` (cause not fixed: ${o.still_failing}; it will be dead-lettered again)`)
      );
    case 'already_redriven':
      return `offset ${o.offset}: already redriven at ${o.redriven_at} (original ${source}); nothing appended`;
    case 'not_redrivable':
      return `offset ${o.offset}: not redrivable (the record does not say where it came from)`;
  }
}
