/**
 * The webhook receiver of the chaos run: one HTTPS server on loopback (a self-signed
 * certificate the dispatchers are told to trust), one path per endpoint. A flaky path
 * answers 500 to a share of the requests at random; every other request gets a 200; each
 * answer after the delay the run chooses. Each request is logged with its arrival and answer times, so two
 * attempts of one delivery that overlapped show up here whoever sent them.
 */
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedLoopbackCertificate } from '@herald/platform';

export interface LoggedAttempt {
  deliveryId: string;
  eventId: string;
  status: number;
  arrivedHr: bigint;
  /** Unset while the request is unanswered. */
  answeredHr: bigint | undefined;
}

export interface PathLog {
  /** Every request, in arrival order. */
  requests: LoggedAttempt[];
  /** Event ids answered 2xx. */
  delivered: Set<string>;
  /** Deliveries answered 2xx more than once (at-least-once: allowed, counted). */
  deliveredTwice: number;
}

export interface Overlap {
  path: string;
  deliveryId: string;
  text: string;
}

export interface ChaosReceiver {
  readonly url: string;
  readonly certFile: string;
  log(p: string): PathLog;
  /** Requests that arrived before the previous request for the same delivery was answered. */
  overlaps(): Overlap[];
  close(): Promise<void>;
}

export async function startReceiver(opts: {
  dir: string;
  /** Path → share of requests answered 500 (0..1). */
  failureRates: Record<string, number>;
  /** How long to hold each answer back, ms. */
  delayMs: () => number;
}): Promise<ChaosReceiver> {
  const { certFile, keyFile } = selfSignedLoopbackCertificate(opts.dir, 'chaos receiver');
  const logs = new Map<string, PathLog>();
  const logOf = (p: string): PathLog => {
    let l = logs.get(p);
    if (!l) {
      l = { requests: [], delivered: new Set(), deliveredTwice: 0 };
      logs.set(p, l);
    }
    return l;
  };
  const server: Server = createServer(
    { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), keepAliveTimeout: 60_000 },
    (req, res) => {
      req.resume();
      req.on('end', () => {
        const p = (req.url ?? '/').split('?')[0] ?? '/';
        const entry: LoggedAttempt = {
          deliveryId: header(req.headers['mobieus-delivery-id']),
          eventId: header(req.headers['mobieus-event-id']),
          status: Math.random() < (opts.failureRates[p] ?? 0) ? 500 : 200,
          arrivedHr: process.hrtime.bigint(),
          answeredHr: undefined,
        };
        const log = logOf(p);
        log.requests.push(entry);
        const answer = (): void => {
          entry.answeredHr = process.hrtime.bigint();
          if (entry.status === 200) {
            if (log.delivered.has(entry.eventId)) log.deliveredTwice++;
            log.delivered.add(entry.eventId);
          }
          res.writeHead(entry.status, { 'content-type': 'text/plain' });
          res.end(entry.status === 200 ? 'ok' : 'flaky');
        };
        setTimeout(answer, opts.delayMs());
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    certFile,
    log: logOf,
    overlaps() {
      const out: Overlap[] = [];
      for (const [p, log] of logs) {
        const byDelivery = new Map<string, LoggedAttempt[]>();
        for (const r of log.requests) {
          const list = byDelivery.get(r.deliveryId) ?? [];
          list.push(r);
          byDelivery.set(r.deliveryId, list);
        }
        for (const [id, list] of byDelivery) {
          for (let i = 1; i < list.length; i++) {
            const prev = list[i - 1]!;
            const next = list[i]!;
            if (prev.answeredHr === undefined || next.arrivedHr < prev.answeredHr) {
              out.push({
                path: p,
                deliveryId: id,
                text: `${p} ${id}: request ${i + 1} arrived before request ${i} was answered`,
              });
            }
          }
        }
      }
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}
