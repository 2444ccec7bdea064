/**
 * The demo webhook receiver of `herald dev`: an event appended through the internal API
 * reaches it signed with a secret it can check, the lines `herald dev` prints work as
 * printed, restarts reuse the endpoint (with a fresh secret) or replace it when the
 * receiver's port changed, and a start without the receiver removes it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '@herald/platform';
import { FIXTURES, internalEvent } from '../fixtures/internal-events';
import { apiRequest } from '../support/api-keys';
import {
  cleanEnv,
  runHeraldAsync,
  RunningHerald,
  startHerald,
  waitForReady,
} from '../support/herald-process';
import { eventually, freshDatabase, testKafkaBrokers } from '../support/infra';

const RECEIVER_LINE =
  /^ {2}receiver {4}(https:\/\/127\.0\.0\.1:(\d+)\/webhooks) {2}\(endpoint (ep_[0-9A-Z]{26}) of dev, every event; (created|reused|replaced), new secret\)$/m;
const RECEIVED_LINE = /^ {2}received {4}(curl -s --cacert \S+ https:\/\/127\.0\.0\.1:\d+\/)$/m;
const DELIVERIES_LINE =
  /^ {2}deliveries {2}(curl -s -H "Authorization: Bearer mc_test_[A-Za-z0-9_-]{43}" http:\/\/dev\.localhost:\d+\/api\/v1\/webhooks\/(ep_[0-9A-Z]{26})\/deliveries)$/m;
const DEMO_KEY = /^ {2}demo key {4}(mc_test_[A-Za-z0-9_-]{43}) /m;
const SSRF_LINE =
  /^ {2}ssrf {8}webhooks may reach public addresses and (https:\/\/127\.0\.0\.1:\d+) only \(HERALD_WEBHOOK_ALLOW_ORIGINS\)$/m;

interface Printed {
  /** The one internal origin webhooks may reach, as printed. */
  allowedOrigin: string;
  url: string;
  port: number;
  endpointId: string;
  outcome: string;
  received: string;
  deliveries: string;
  demoKey: string;
}

interface ReceiverListing {
  webhook_url: string;
  endpoint_id: string;
  received: number;
  requests: Array<{
    received_at: string;
    event_id: string;
    event_type: string;
    delivery_id: string;
    signature_valid: boolean;
    problem?: string;
  }>;
}

function printed(herald: RunningHerald): Printed {
  const out = herald.output();
  const receiver = RECEIVER_LINE.exec(out);
  const received = RECEIVED_LINE.exec(out);
  const deliveries = DELIVERIES_LINE.exec(out);
  const key = DEMO_KEY.exec(out);
  const ssrf = SSRF_LINE.exec(out);
  if (!receiver || !received || !deliveries || !key || !ssrf)
    throw new Error(`demo lines not printed:\n${out}`);
  expect(deliveries[2]).toBe(receiver[3]);
  expect(`${ssrf[1]}/webhooks`).toBe(receiver[1]);
  return {
    allowedOrigin: ssrf[1]!,
    url: receiver[1]!,
    port: Number(receiver[2]),
    endpointId: receiver[3]!,
    outcome: receiver[4]!,
    received: received[1]!,
    deliveries: deliveries[1]!,
    demoKey: key[1]!,
  };
}

/** Runs a printed line exactly as a newcomer pastes it into a shell. */
function runPrinted(line: string): any {
  const res = spawnSync('sh', ['-c', line], { encoding: 'utf8', timeout: 20_000 });
  if (res.status !== 0) throw new Error(`\`${line}\` exited ${res.status}: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

async function appendPost(httpPort: number, serviceToken: string, postId: number): Promise<void> {
  const fixture = FIXTURES.find((f) => f.kind === 'forum.post.created')!;
  // Occurring now: an endpoint is sent only what happened after it was registered.
  const event = internalEvent(
    'dev',
    { kind: fixture.kind, data: { ...fixture.data, post_id: postId } },
    { occurred_at: new Date().toISOString() },
  );
  const res = await fetch(`http://127.0.0.1:${httpPort}/internal/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
    body: JSON.stringify([event]),
  });
  expect(res.status).toBe(202);
}

/**
 * While the demo runs, its receiver's origin is the only internal one webhooks may reach:
 * the same address on any other port is refused with the SSRF reason.
 */
async function otherLoopbackPortRefused(
  env: NodeJS.ProcessEnv,
  httpPort: number,
  demo: Printed,
): Promise<void> {
  const minted = await runHeraldAsync(
    [
      'keys',
      'create',
      '--tenant',
      'dev',
      '--scopes',
      'webhooks:read,webhooks:manage',
      '--mode',
      'test',
      '--json',
    ],
    env,
  );
  if (minted.status !== 0) throw new Error(`keys create failed: ${minted.stderr}`);
  const { key } = JSON.parse(minted.stdout) as { key: string };
  for (const port of [httpPort, demo.port + 1, 5433]) {
    const res = await apiRequest(`http://127.0.0.1:${httpPort}`, '/api/v1/webhooks', {
      tenant: 'dev',
      key,
      method: 'POST',
      body: { url: `https://127.0.0.1:${port}/`, events: ['*'] },
    });
    const body = res.body as { error: { code: string; details: Array<{ field: string; reason: string }> } };
    expect({ port, status: res.status, code: body.error.code, details: body.error.details }).toEqual({
      port,
      status: 422,
      code: 'invalid_endpoint',
      details: [{ field: 'url', reason: 'address 127.0.0.1 is loopback' }],
    });
  }
}

/**
 * The one request this start's receiver got (its list lives in memory): a post.created
 * whose signature held, and which the printed deliveries line shows as succeeded.
 */
async function deliveredPost(demo: Printed): Promise<void> {
  const listing = await eventually(async () => {
    const got = runPrinted(demo.received) as ReceiverListing;
    return got.requests.length > 0 ? got : undefined;
  }, 30_000);
  expect(listing.endpoint_id).toBe(demo.endpointId);
  expect(listing.webhook_url).toBe(demo.url);
  expect(listing.received).toBe(1);
  const [last] = listing.requests;
  expect(last).toMatchObject({ event_type: 'post.created', signature_valid: true });
  expect(last!.event_id).toMatch(/^evt_/);
  expect(last!.problem).toBeUndefined();

  const delivery = await eventually(async () => {
    const page = runPrinted(demo.deliveries) as {
      data: Array<{ id: string; event_id: string; status: string; attempts: Array<{ status_code: number }> }>;
    };
    const d = page.data.find((x) => x.event_id === last!.event_id);
    return d?.status === 'succeeded' ? d : undefined;
  }, 20_000);
  expect(delivery.id).toBe(last!.delivery_id);
  expect(delivery.attempts.map((a) => a.status_code)).toEqual([204]);
}

describe('herald dev demo webhook receiver', () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('receives an appended event with a valid signature; restarts reuse, replace or remove the endpoint', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-demo-hooks-'));
    dataDirs.push(dataDir);
    fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    const receiverPort = await freePort();
    const env = cleanEnv({
      PORT: String(port),
      HERALD_DATA_DIR: dataDir,
      DATABASE_URL: await freshDatabase(),
      KAFKA_BROKERS: testKafkaBrokers().join(','),
    });
    const serviceToken = (): string =>
      (JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { service_token: string })
        .service_token;

    const caFile = path.join(dataDir, 'demo-receiver', 'ca.crt');
    let firstCa = '';
    const runs: Array<{ args: string[]; check: (demo: Printed, previous: Printed[]) => Promise<void> }> = [
      {
        args: ['--demo-receiver-port', String(receiverPort)],
        check: async (demo) => {
          expect(demo.outcome).toBe('created');
          expect(demo.port).toBe(receiverPort);
          firstCa = fs.readFileSync(caFile, 'utf8');
          expect(demo.allowedOrigin).toBe(`https://127.0.0.1:${receiverPort}`);
          await otherLoopbackPortRefused(env, port, demo);
          await appendPost(port, serviceToken(), 101);
          await deliveredPost(demo);
        },
      },
      {
        // Same port: the same endpoint, with a secret only this start's receiver knows.
        args: ['--demo-receiver-port', String(receiverPort)],
        check: async (demo, [first]) => {
          expect(demo.outcome).toBe('reused');
          expect(demo.endpointId).toBe(first!.endpointId);
          expect(fs.readFileSync(caFile, 'utf8')).toBe(firstCa); // still valid: not made again
          await appendPost(port, serviceToken(), 102);
          await deliveredPost(demo);
        },
      },
      {
        // The default port (PORT + 1, or a free one): the stale endpoint is replaced, not kept beside.
        args: [],
        check: async (demo, [first]) => {
          expect(demo.outcome).toBe('replaced');
          expect(demo.port).not.toBe(receiverPort);
          expect(demo.endpointId).not.toBe(first!.endpointId);
          const page = runPrinted(
            `curl -s -H "Authorization: Bearer ${demo.demoKey}" http://dev.localhost:${port}/api/v1/webhooks`,
          ) as { data: Array<{ id: string; url: string; label: string }> };
          expect(page.data.map((e) => ({ id: e.id, url: e.url, label: e.label }))).toEqual([
            { id: demo.endpointId, url: demo.url, label: 'demo receiver' },
          ]);
          await appendPost(port, serviceToken(), 103);
          await deliveredPost(demo);
        },
      },
    ];

    const seen: Printed[] = [];
    for (const run of runs) {
      const herald = startHerald(['dev', ...run.args], env);
      try {
        await waitForReady(port, herald);
        const demo = printed(herald);
        await run.check(demo, seen).catch((err: unknown) => {
          throw new Error(
            `${err instanceof Error ? err.message : String(err)}\nherald dev said:\n${herald.output()}`,
          );
        });
        seen.push(demo);
      } finally {
        herald.child.kill('SIGINT');
      }
      expect(await herald.waitForExit()).toBe(0);
    }

    // Without the receiver, its endpoint would only collect failures: it is removed.
    const last = seen[seen.length - 1]!;
    const without = startHerald(['dev', '--no-demo-receiver'], env);
    try {
      await waitForReady(port, without);
      const out = without.output();
      expect(out).toContain(
        `  receiver    none this time: removed demo endpoint ${last.endpointId} of dev\n`,
      );
      expect(out).not.toContain('  received    ');
      const key = DEMO_KEY.exec(out)![1]!;
      const page = runPrinted(
        `curl -s -H "Authorization: Bearer ${key}" http://dev.localhost:${port}/api/v1/webhooks`,
      ) as { data: unknown[] };
      expect(page.data).toEqual([]);
    } finally {
      without.child.kill('SIGINT');
    }
    expect(await without.waitForExit()).toBe(0);
  }, 300_000);
});
