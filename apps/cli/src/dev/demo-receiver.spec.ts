import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { webhookHeaders } from '@herald/webhooks/signing';
import { DemoCertificates, ensureDemoCertificates } from './demo-certificates';
import { DemoReceiver, KEEP_REQUESTS, startDemoReceiver } from './demo-receiver';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

interface Answer {
  status: number;
  body: string;
}

/**
 * One kept-alive connection for the whole file: a fresh TLS handshake per request made
 * the hundred-request test take seconds on a loaded machine.
 */
const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });

function request(
  receiver: DemoReceiver,
  ca: string,
  method: string,
  urlPath: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${receiver.origin}${urlPath}`,
      { method, headers: opts.headers, ca, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function delivery(n: number, secret = SECRET): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ id: `evt_${n}`, type: 'post.created', data: { post_id: n } });
  const headers = webhookHeaders(
    'mobieus-v1',
    { current: secret },
    {
      eventId: `evt_${n}`,
      eventType: 'post.created',
      deliveryId: `dlv_${n}`,
      body,
      timestamp: Math.floor(Date.now() / 1000),
    },
  );
  return { headers, body };
}

describe('demo receiver', () => {
  let dir: string;
  let certs: DemoCertificates;
  let ca: string;
  let receiver: DemoReceiver;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-demo-receiver-'));
    certs = ensureDemoCertificates(path.join(dir, 'demo-receiver'));
    ca = fs.readFileSync(certs.caFile, 'utf8');
    receiver = await startDemoReceiver({ cert: certs.cert, key: certs.key, port: 0, anyPortIfTaken: false });
  });

  afterAll(async () => {
    agent.destroy();
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its certificates while they are valid and makes them again when one is missing', () => {
    expect(certs.generated).toBe(true);
    expect(fs.statSync(certs.keyFile).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(certs.caFile)).sort()).toEqual([
      'ca.crt',
      'receiver.crt',
      'receiver.key',
    ]);
    const again = ensureDemoCertificates(path.dirname(certs.caFile));
    expect(again.generated).toBe(false);
    expect(again.cert).toBe(certs.cert);

    const other = path.join(dir, 'other');
    const first = ensureDemoCertificates(other);
    fs.rmSync(path.join(other, 'receiver.key'));
    const remade = ensureDemoCertificates(other);
    expect(remade.generated).toBe(true);
    expect(remade.cert).not.toBe(first.cert);
  });

  it('answers 503 until it knows the secret, then 204 for a valid signature and 400 otherwise', async () => {
    const early = delivery(0);
    expect((await request(receiver, ca, 'POST', '/webhooks', early)).status).toBe(503);

    receiver.useSecret('ep_demo', SECRET);
    const good = delivery(1);
    expect(await request(receiver, ca, 'POST', '/webhooks', good)).toEqual({ status: 204, body: '' });
    const forged = delivery(2, `whsec_${Buffer.alloc(32, 8).toString('base64')}`);
    const refused = await request(receiver, ca, 'POST', '/webhooks', forged);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toEqual({ error: 'signature does not match' });

    const listing = await request(receiver, ca, 'GET', '/');
    expect(listing.status).toBe(200);
    expect(JSON.parse(listing.body)).toEqual({
      webhook_url: receiver.webhookUrl,
      endpoint_id: 'ep_demo',
      received: 2,
      requests: [
        {
          received_at: expect.any(String),
          event_id: 'evt_2',
          event_type: 'post.created',
          delivery_id: 'dlv_2',
          signature_valid: false,
          problem: 'signature does not match',
        },
        {
          received_at: expect.any(String),
          event_id: 'evt_1',
          event_type: 'post.created',
          delivery_id: 'dlv_1',
          signature_valid: true,
        },
      ],
    });
  });

  it(`keeps the last ${KEEP_REQUESTS} requests`, async () => {
    for (let n = 10; n < 10 + KEEP_REQUESTS + 5; n++) {
      expect((await request(receiver, ca, 'POST', '/webhooks', delivery(n))).status).toBe(204);
    }
    const kept = receiver.recent();
    expect(kept).toHaveLength(KEEP_REQUESTS);
    expect(kept[0]!.event_id).toBe(`evt_${10 + KEEP_REQUESTS + 4}`);
  });

  it('takes any free port when the preferred one is taken, only if allowed to', async () => {
    const taken = { cert: certs.cert, key: certs.key, port: receiver.port };
    await expect(startDemoReceiver({ ...taken, anyPortIfTaken: false })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    const elsewhere = await startDemoReceiver({ ...taken, anyPortIfTaken: true });
    try {
      expect(elsewhere.port).not.toBe(receiver.port);
      expect(elsewhere.webhookUrl).toBe(`https://127.0.0.1:${elsewhere.port}/webhooks`);
    } finally {
      await elsewhere.close();
    }
  });

  it('answers other paths and methods plainly', async () => {
    expect((await request(receiver, ca, 'GET', '/webhooks')).status).toBe(405);
    expect((await request(receiver, ca, 'POST', '/')).status).toBe(405);
    expect((await request(receiver, ca, 'GET', '/elsewhere')).status).toBe(404);
  });
});
