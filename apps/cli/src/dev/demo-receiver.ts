/**
 * The demo webhook receiver `herald dev` runs for the `dev` tenant: an HTTPS server on
 * 127.0.0.1 that checks each delivery's `Mobieus-Signature` (DESIGN.md §7) and answers
 * 204 when it holds, 400 when not. It keeps the last requests in memory and lists them as
 * plain JSON on `GET /`, so a newcomer sees deliveries arrive.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { RECEIVER_HOST } from './demo-certificates';
import { verifyMobieusSignature } from './verify-signature';

export const WEBHOOK_PATH = '/webhooks';
export const KEEP_REQUESTS = 100;
const MAX_BODY_BYTES = 1024 * 1024;

export interface ReceivedRequest {
  received_at: string;
  event_id: string | null;
  event_type: string | null;
  delivery_id: string | null;
  signature_valid: boolean;
  /** Why the signature was refused. */
  problem?: string;
}

export interface DemoReceiver {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Where deliveries are POSTed. */
  readonly webhookUrl: string;
  /** The endpoint's signing secret; until it is set, deliveries are answered 503. */
  useSecret(endpointId: string, secret: string): void;
  /** Newest first. */
  recent(): ReceivedRequest[];
  close(): Promise<void>;
}

export interface DemoReceiverOptions {
  cert: string;
  key: string;
  /** 0: any free port. */
  port: number;
  /** When `port` is taken, take any free port instead of failing. */
  anyPortIfTaken: boolean;
}

export async function startDemoReceiver(opts: DemoReceiverOptions): Promise<DemoReceiver> {
  const kept: ReceivedRequest[] = [];
  let total = 0;
  let signing: { endpointId: string; secret: string } | undefined;
  let webhookUrl = '';

  const server = createServer({ cert: opts.cert, key: opts.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://receiver.invalid');
    if (url.pathname === '/') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, { error: 'use GET' }, 'GET');
      return reply(res, 200, {
        webhook_url: webhookUrl,
        endpoint_id: signing?.endpointId ?? null,
        received: total,
        requests: [...kept].reverse(),
      });
    }
    if (url.pathname !== WEBHOOK_PATH)
      return reply(res, 404, { error: `no such path; deliveries go to ${WEBHOOK_PATH}` });
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' }, 'POST');
    readBody(req).then(
      (body) => {
        if (body === undefined) return reply(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
        if (!signing) return reply(res, 503, { error: 'the demo endpoint is not registered yet' });
        const check = verifyMobieusSignature(signing.secret, header(req, 'mobieus-signature'), body);
        const entry: ReceivedRequest = {
          received_at: new Date().toISOString(),
          event_id: header(req, 'mobieus-event-id') ?? null,
          event_type: header(req, 'mobieus-event-type') ?? null,
          delivery_id: header(req, 'mobieus-delivery-id') ?? null,
          signature_valid: check.valid,
          ...(check.valid ? {} : { problem: check.reason }),
        };
        total += 1;
        if (kept.push(entry) > KEEP_REQUESTS) kept.shift();
        if (check.valid) return reply(res, 204);
        return reply(res, 400, { error: check.reason });
      },
      () => res.destroy(),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;

  await listenOn(server, opts.port).catch(async (err: unknown) => {
    if (!opts.anyPortIfTaken || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    await listenOn(server, 0);
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `https://${RECEIVER_HOST}:${port}`;
  webhookUrl = `${origin}${WEBHOOK_PATH}`;

  return {
    origin,
    port,
    webhookUrl,
    useSecret(endpointId, secret) {
      signing = { endpointId, secret };
    },
    recent: () => [...kept].reverse(),
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}

function listenOn(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, RECEIVER_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The raw bytes (signatures are over them), or undefined past the size cap. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number, body?: unknown, allow?: string): void {
  if (allow) res.setHeader('allow', allow);
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body, null, 2) + '\n');
}
