/**
 * Webhook receivers for tests: a real HTTPS server on a loopback address, with a
 * certificate from the test CA, that records every request byte for byte and answers as
 * the test programs it (status, headers, body, delay, hanging). Also the Mobieus-Signature
 * check an integrator would write in Node, following the receiver steps of DESIGN.md §7,
 * and a launcher for the Python one in test/fixtures/webhook_receiver.py.
 */
import { spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { IssuedCert, LOCAL_DNS, TestCa } from './tls';

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received; signatures are checked over these bytes. */
  rawBody: Buffer;
  body: string;
  /** Date.now() when the body was complete. */
  receivedAt: number;
  /** process.hrtime.bigint() at the same moment, for intervals that must not drift with the clock. */
  receivedAtHr: bigint;
  remoteAddress: string | undefined;
}

export interface ReceiverReply {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many milliseconds. */
  delayMs?: number;
  /** Never answer (the connection stays open until the client gives up or the receiver closes). */
  hang?: boolean;
}

export type ReceiverBehaviour =
  ReceiverReply | ((req: ReceivedRequest, index: number) => ReceiverReply | Promise<ReceiverReply>);

export interface WebhookReceiver {
  /** `https://<host>:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly cert: IssuedCert;
  /** Every request so far, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** TCP connections accepted so far, including those that never sent a request. */
  readonly connections: number;
  /** Replaces how later requests are answered. */
  behave(behaviour: ReceiverBehaviour): void;
  /** Resolves once at least `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Forgets the recorded requests and connection count. */
  reset(): void;
  /** Stops listening and drops every open connection, hanging ones included. */
  close(): Promise<void>;
}

export async function startWebhookReceiver(opts: {
  ca: TestCa;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default: a leaf for the local test names and `host`. */
  cert?: IssuedCert;
  behaviour?: ReceiverBehaviour;
}): Promise<WebhookReceiver> {
  const host = opts.host ?? '127.0.0.1';
  const cert = opts.cert ?? opts.ca.issue({ dns: LOCAL_DNS, ips: [host] });
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  let behaviour: ReceiverBehaviour = opts.behaviour ?? {};
  let connections = 0;

  const server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        body: rawBody.toString('utf8'),
        receivedAt: Date.now(),
        receivedAtHr: process.hrtime.bigint(),
        remoteAddress: req.socket.remoteAddress,
      };
      const index = requests.push(received) - 1;
      for (const wake of waiters) wake();
      void answer(received, index, req, res);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });

  async function answer(received: ReceivedRequest, index: number, req: IncomingMessage, res: ServerResponse) {
    let reply: ReceiverReply;
    try {
      reply = typeof behaviour === 'function' ? await behaviour(received, index) : behaviour;
    } catch (err) {
      reply = { status: 500, body: err instanceof Error ? err.message : String(err) };
    }
    if (reply.hang) return;
    const send = () => {
      // Not req.destroyed: a fully read request is destroyed right after 'end'.
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(reply.status ?? 200, reply.headers);
      res.end(reply.body);
    };
    if (!reply.delayMs) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, reply.delayMs);
    timers.add(timer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `https://${urlHost}:${port}`,
    host,
    port,
    cert,
    requests,
    get connections() {
      return connections;
    },
    behave(next) {
      behaviour = next;
    },
    waitForRequests(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          cleanup();
          resolve(requests.slice());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`receiver got ${requests.length} of ${count} requests within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    reset() {
      requests.length = 0;
      connections = 0;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export interface SignatureCheck {
  valid: boolean;
  /** Which signature matched: the new key's `v1` or, during a rotation, `v1_prev`. */
  matched: 'v1' | 'v1_prev' | null;
  /** Why it is invalid. */
  reason?: string;
}

/**
 * The receiver side of `mobieus-v1` (and `-sha512`): parse `t`, `v1`, `v1_prev`; refuse a
 * timestamp outside the tolerance (replays); recompute HMAC(secret, t + "." + body) for each
 * secret the receiver holds; compare in constant time. A receiver mid-rotation holds both.
 */
export function verifyMobieusSignature(
  secrets: string | readonly string[],
  header: string | string[] | undefined,
  body: string | Buffer,
  toleranceSec = 300,
  opts: { nowSec?: number; algorithm?: 'sha256' | 'sha512' } = {},
): SignatureCheck {
  if (typeof header !== 'string') return { valid: false, matched: null, reason: 'missing Mobieus-Signature' };
  const fields = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { valid: false, matched: null, reason: 'malformed Mobieus-Signature' };
    const key = part.slice(0, eq).trim();
    fields.set(key, [...(fields.get(key) ?? []), part.slice(eq + 1).trim()]);
  }
  const t = fields.get('t')?.[0];
  if (t === undefined || !/^\d+$/.test(t))
    return { valid: false, matched: null, reason: 'missing timestamp' };
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(t)) > toleranceSec) {
    return { valid: false, matched: null, reason: 'timestamp outside tolerance' };
  }
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const expected = (typeof secrets === 'string' ? [secrets] : secrets).map((secret) =>
    createHmac(opts.algorithm ?? 'sha256', secret)
      .update(`${t}.`)
      .update(bytes)
      .digest(),
  );
  const matches = (field: string) =>
    (fields.get(field) ?? []).some((hex) => {
      const given = Buffer.from(hex, 'hex');
      // Buffer.from drops invalid hex silently; a length check alone would let a prefix through.
      if (given.toString('hex') !== hex.toLowerCase()) return false;
      return expected.some((mac) => mac.length === given.length && timingSafeEqual(mac, given));
    });
  if (matches('v1')) return { valid: true, matched: 'v1' };
  if (matches('v1_prev')) return { valid: true, matched: 'v1_prev' };
  return { valid: false, matched: null, reason: 'no signature matches' };
}

export interface PythonLogEntry {
  event_id: string | null;
  valid: boolean;
  matched: 'v1' | 'v1_prev' | null;
}

export interface PythonReceiver {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** One entry per request received so far, in order. */
  entries(): PythonLogEntry[];
  close(): Promise<void>;
}

const PYTHON_RECEIVER = path.resolve(__dirname, '..', 'fixtures', 'webhook_receiver.py');

/** Spawns test/fixtures/webhook_receiver.py with python3 and waits until it listens. */
export async function startPythonReceiver(opts: {
  cert: IssuedCert;
  secrets: readonly string[];
  timeoutMs?: number;
}): Promise<PythonReceiver> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-pyreceiver-'));
  const logFile = path.join(dir, 'requests.jsonl');
  const args = [PYTHON_RECEIVER, '--cert', opts.cert.certFile, '--key', opts.cert.keyFile, '--log', logFile];
  for (const s of opts.secrets) args.push('--secret', s);
  const child = spawn('python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`python receiver did not start:\n${output}`)),
      opts.timeoutMs ?? 10_000,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`python receiver exited with ${code}:\n${output}`)));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /listening on (\d+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      resolve(Number(m[1]));
    });
  }).catch((err: unknown) => {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    entries() {
      if (!fs.existsSync(logFile)) return [];
      return fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as PythonLogEntry);
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
