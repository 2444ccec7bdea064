import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';

/** Resolves true when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A port free right now on every interface, below the OS's ephemeral range. Whoever asks
 * binds it later (a child process, seconds on), and meanwhile an ephemeral port can be
 * taken by anything: a listener on port 0, or the source port of any outgoing connection.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  const from = Math.max(1024, low - 12_000);
  for (let i = 0; i < 100; i++) {
    const port = randomInt(from, low);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${from} and ${low - 1}`);
}

/** The first port of the OS's ephemeral range (Linux's default where it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(
      fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    if (Number.isInteger(low) && low > 2048 && low <= 65_535) return low;
  } catch {
    // not Linux: assume its default
  }
  return 32_768;
}

/** Binds as a server does that listens everywhere: IPv6 and IPv4, or IPv4 alone where there is no IPv6. */
function canListen(port: number, host = '::'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      const noIpv6 = err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL';
      resolve(host === '::' && noIpv6 ? canListen(port, '0.0.0.0') : false);
    });
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
