/**
 * `NODE_EXTRA_CA_CERTS` is honoured by webhook delivery as by any Node HTTPS client, beside
 * `HERALD_WEBHOOK_CA_FILE`: a dispatcher process as production runs it dials a real HTTPS
 * receiver whose certificate chains to a throwaway CA. Given only another CA, the attempt
 * fails TLS verification; given the receiver's CA through `NODE_EXTRA_CA_CERTS` alone (the
 * CA file still naming the other one), the event is delivered.
 */
import { createDataSource, HeraldProducer, migrate, TenantsRepository } from '@herald/platform';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import {
  buildIfStale,
  DispatcherProcess,
  dispatcherEnv,
  startDispatcher,
  unlessExited,
} from '../support/dispatcher-process';
import { eventually, freshDatabase, testKafka, uniqueName } from '../support/infra';
import { createTestCa, TestCa } from '../support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';
import { publicEvent, publish, seedEndpoint, SeededEndpoint } from '../support/webhooks';

interface AttemptRow {
  status_code: number | null;
  error: string | null;
}

describe('webhook delivery trusts NODE_EXTRA_CA_CERTS', () => {
  let receiverCa: TestCa;
  let otherCa: TestCa;
  let receiver: WebhookReceiver;
  let ds: DataSource;
  let producer: HeraldProducer;
  let databaseUrl: string;
  let dataDir: string;
  let proc: DispatcherProcess | undefined;

  beforeAll(async () => {
    buildIfStale();
    receiverCa = createTestCa('Herald Test Receiver CA');
    otherCa = createTestCa('Herald Test Other CA');
    receiver = await startWebhookReceiver({ ca: receiverCa, behaviour: { status: 204 } });
    databaseUrl = await freshDatabase();
    ds = await createDataSource({ url: databaseUrl, poolSize: 4 }).initialize();
    await migrate(ds);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-extra-ca-'));
    producer = new HeraldProducer(testKafka('webhooks-extra-ca'));
    await producer.connect();
  }, 300_000);

  afterEach(async () => {
    await proc?.stop(10_000);
    proc = undefined;
  });

  afterAll(async () => {
    await producer?.disconnect();
    await ds?.destroy();
    await receiver?.close();
    receiverCa?.dispose();
    otherCa?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A dispatcher trusting `otherCa` through HERALD_WEBHOOK_CA_FILE, and NODE_EXTRA_CA_CERTS as given. */
  async function dispatcher(extraCaFile: string | undefined): Promise<DispatcherProcess> {
    const env = dispatcherEnv({
      databaseUrl,
      dataDir,
      caFile: otherCa.certFile,
      extra: { HERALD_WEBHOOK_ALLOW_ORIGINS: receiver.url },
    });
    // The runner's own NODE_EXTRA_CA_CERTS (if any) must not decide the outcome.
    delete env.NODE_EXTRA_CA_CERTS;
    delete env.HERALD_WEBHOOK_ALLOW_CIDRS;
    if (extraCaFile) env.NODE_EXTRA_CA_CERTS = extraCaFile;
    const p = await startDispatcher(extraCaFile ? 'with-extra-ca' : 'without-extra-ca', env);
    proc = p;
    await p.waitForReady();
    return p;
  }

  async function endpoint(): Promise<SeededEndpoint> {
    const tenant = uniqueName('extraca');
    await new TenantsRepository(ds).create(tenant);
    return seedEndpoint(ds, { tenant, url: `${receiver.url}/hooks/${uniqueName('ep')}` });
  }

  async function firstAttempt(ep: SeededEndpoint): Promise<AttemptRow> {
    return eventually(async () => {
      const rows: AttemptRow[] = await ds.query(
        `SELECT a.status_code, a.error FROM webhook_attempts a
           JOIN webhook_deliveries d ON d.id = a.delivery_id
          WHERE d.endpoint_id = $1 ORDER BY a.n`,
        [ep.id],
      );
      return rows[0];
    }, 60_000);
  }

  it('fails verification when the receiver’s CA is configured nowhere', async () => {
    const p = await dispatcher(undefined);
    const ep = await endpoint();
    await publish(producer, ep.tenant, [publicEvent('post.created')]);
    const attempt = await unlessExited(firstAttempt(ep), p);
    expect(attempt.status_code).toBeNull();
    expect(attempt.error).toMatch(/certificate|UNABLE_TO_GET_ISSUER_CERT|self.signed/i);
    expect(receiver.requests.filter((r) => ep.url.endsWith(r.path))).toHaveLength(0);
  });

  it('delivers when the receiver’s CA is given only through NODE_EXTRA_CA_CERTS', async () => {
    const p = await dispatcher(receiverCa.certFile);
    const ep = await endpoint();
    await publish(producer, ep.tenant, [publicEvent('post.created')]);
    const attempt = await unlessExited(firstAttempt(ep), p);
    expect(attempt).toEqual({ status_code: 204, error: null });
    expect(receiver.requests.filter((r) => ep.url.endsWith(r.path))).toHaveLength(1);
  });

  it('refuses to start with a NODE_EXTRA_CA_CERTS that is not a PEM certificate file, in one line', async () => {
    const env = dispatcherEnv({ databaseUrl, dataDir, caFile: otherCa.certFile });
    env.NODE_EXTRA_CA_CERTS = path.join(dataDir, 'missing-ca.pem');
    const p = await startDispatcher('bad-extra-ca', env);
    proc = p;
    const exit = await p.exited;
    expect(exit.code).toBe(1);
    expect(p.output()).toContain(
      `invalid configuration: NODE_EXTRA_CA_CERTS names a file that cannot be read: "${env.NODE_EXTRA_CA_CERTS}"`,
    );
  });
});
