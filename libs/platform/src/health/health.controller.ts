/** Liveness (/healthz: the process answers) and readiness (/readyz: Postgres and Kafka answer). */
import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { KafkaService } from '../kafka/kafka.service';

type CheckResult =
  { status: 'up'; latency_ms: number; [k: string]: unknown } | { status: 'down'; error: string };

const CHECK_TIMEOUT_MS = 2000;

@Controller()
export class HealthController {
  constructor(
    @Optional() @Inject(DataSource) private readonly ds?: DataSource,
    @Optional() @Inject(KafkaService) private readonly kafka?: KafkaService,
  ) {}

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ status: string; checks: Record<string, CheckResult> }> {
    const checks: Record<string, CheckResult> = {};
    const ds = this.ds;
    const kafka = this.kafka;
    await Promise.all([
      ds &&
        timed(async () => {
          await ds.query('SELECT 1');
          return {};
        }).then((r) => (checks.postgres = r)),
      kafka && timed(async () => kafka.ping()).then((r) => (checks.kafka = r)),
    ]);
    const ready = Object.values(checks).every((c) => c.status === 'up');
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}

async function timed(fn: () => Promise<Record<string, unknown>>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const extra = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'up', latency_ms: Math.round(performance.now() - started), ...extra };
  } catch (err) {
    return { status: 'down', error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
