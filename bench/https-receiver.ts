/**
 * A fast HTTPS webhook receiver for bench:webhooks, in its own process so neither the
 * raw client nor the dispatcher shares its CPU. `/hang…` never answers; everything else
 * gets an empty 204 at once. Arrivals (path, event id, wall-clock ms) go to the parent
 * over IPC in batches.
 *
 *   CERT_FILE, KEY_FILE: the server certificate and key (PEM)
 */
import * as fs from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

interface Arrival {
  path: string;
  eventId: string;
  at: number;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
const now = (): number => performance.timeOrigin + performance.now();

let pending: Arrival[] = [];
const flush = (): void => {
  if (pending.length === 0 || !process.send) return;
  process.send(pending);
  pending = [];
};
setInterval(flush, 20).unref();

const server = createServer(
  {
    cert: fs.readFileSync(process.env.CERT_FILE as string),
    key: fs.readFileSync(process.env.KEY_FILE as string),
    keepAliveTimeout: 60_000,
  },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '/';
      const eventId = req.headers['mobieus-event-id'];
      pending.push({ path, eventId: typeof eventId === 'string' ? eventId : '', at: now() });
      if (path.startsWith('/hang')) return;
      res.writeHead(204);
      res.end();
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
