/**
 * One attempt against real HTTPS servers on loopback (a throwaway CA): what is recorded
 * of an answer, the read cap, redirects, and the one deadline over the whole attempt.
 */
import { createServer as createTcpServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestCa, TestCa } from '../../../../test/support/tls';
import { startWebhookReceiver, WebhookReceiver } from '../../../../test/support/webhook-receiver';
import { SsrfGuard } from '../ssrf/ssrf-guard';
import { RESPONSE_KEEP_CHARS, RESPONSE_READ_CAP, WebhookSender } from './webhook-sender';

const HEADERS = { 'Content-Type': 'application/json', 'Mobieus-Event-Id': 'evt_1' };
const BODY = JSON.stringify({ id: 'evt_1', type: 'post.created', data: { title: 'é' } });

describe('WebhookSender', () => {
  let ca: TestCa;
  let receiver: WebhookReceiver;
  let sender: WebhookSender;

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca });
    sender = new WebhookSender(new SsrfGuard(['127.0.0.1/32'], { resolve: async () => ['127.0.0.1'] }), [
      ca.cert,
    ]);
  });

  afterAll(async () => {
    await sender.close();
    await receiver.close();
    ca.dispose();
  });

  beforeEach(() => receiver.reset());

  it('sends the body and headers as given and records status, headers and body', async () => {
    receiver.behave({ status: 201, headers: { 'x-reply': 'yes' }, body: 'thanks' });
    const result = await sender.send(`${receiver.url}/hooks?x=1`, HEADERS, BODY, 5_000);
    expect(result).toMatchObject({ statusCode: 201, body: 'thanks', error: null });
    expect(result.headers['x-reply']).toBe('yes');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/hooks?x=1', body: BODY });
    expect(req!.headers['mobieus-event-id']).toBe('evt_1');
  });

  it(`keeps the first ${RESPONSE_KEEP_CHARS} characters and reads no more than ${RESPONSE_READ_CAP} bytes`, async () => {
    receiver.behave({ status: 500, body: 'ab'.repeat(RESPONSE_READ_CAP * 4) });
    const result = await sender.send(`${receiver.url}/big`, HEADERS, BODY, 5_000);
    expect(result.statusCode).toBe(500);
    expect(result.error).toBeNull();
    expect(result.body).toBe('ab'.repeat(RESPONSE_KEEP_CHARS / 2));
    // The connection whose body was cut short is not reused: the next attempt still works.
    receiver.behave({ status: 204 });
    await expect(sender.send(`${receiver.url}/next`, HEADERS, BODY, 5_000)).resolves.toMatchObject({
      statusCode: 204,
      error: null,
    });
  });

  it('never follows a redirect: the 3xx is the answer', async () => {
    receiver.behave({ status: 302, headers: { location: `${receiver.url}/elsewhere` } });
    const result = await sender.send(`${receiver.url}/moved`, HEADERS, BODY, 5_000);
    expect(result.statusCode).toBe(302);
    expect(result.headers.location).toBe(`${receiver.url}/elsewhere`);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/moved']);
  });

  it('gives up on an endpoint that never answers at the deadline', async () => {
    receiver.behave({ hang: true });
    const started = performance.now();
    const result = await sender.send(`${receiver.url}/hang`, HEADERS, BODY, 300);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({
      statusCode: null,
      body: null,
      error: 'timeout: no complete answer within 300 ms',
    });
  });

  it('keeps the status of an answer whose body does not complete in time', async () => {
    const slowBody = new SlowBodyServer(ca);
    await slowBody.listen();
    try {
      const result = await sender.send(`https://127.0.0.1:${slowBody.port}/`, HEADERS, BODY, 400);
      expect(result).toMatchObject({
        statusCode: 200,
        body: null,
        error: 'response body: timeout: no complete answer within 400 ms',
      });
    } finally {
      await slowBody.close();
    }
  });

  it('bounds a connection that never completes its TLS handshake by the same deadline', async () => {
    const silent = await listenSilently();
    try {
      const started = performance.now();
      const result = await sender.send(`https://127.0.0.1:${silent.port}/`, HEADERS, BODY, 300);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(result).toMatchObject({ statusCode: null, error: 'timeout: no complete answer within 300 ms' });
    } finally {
      await silent.close();
    }
  });

  it('reports a refused address as the SSRF guard words it, without dialling', async () => {
    const strict = new WebhookSender(new SsrfGuard([], { resolve: async () => ['127.0.0.1'] }), [ca.cert]);
    try {
      const result = await strict.send(`${receiver.url}/x`, HEADERS, BODY, 5_000);
      expect(result.statusCode).toBeNull();
      expect(result.error).toBe('ssrf: 127.0.0.1 is loopback');
      expect(receiver.connections).toBe(0);
    } finally {
      await strict.close();
    }
  });
});

/** Answers 200 with the headers and a first chunk of the body, then never finishes it. */
class SlowBodyServer {
  private server: import('node:https').Server | undefined;
  port = 0;
  constructor(private readonly ca: TestCa) {}

  async listen(): Promise<void> {
    const { createServer } = await import('node:https');
    const cert = this.ca.issue({ ips: ['127.0.0.1'] });
    this.server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server?.closeAllConnections();
    await closed;
  }
}

/** Accepts TCP connections and never says a word: a TLS handshake with it never completes. */
async function listenSilently(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
