import * as fs from 'node:fs';
import * as net from 'node:net';
import { freePort } from './net';

const ephemeralLow = (): number =>
  Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('freePort', () => {
  it('gives ports below the ephemeral range that a server can then listen on everywhere', async () => {
    const low = fs.existsSync('/proc/sys/net/ipv4/ip_local_port_range') ? ephemeralLow() : 32_768;
    for (let i = 0; i < 10; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(Math.max(1024, low - 12_000));
      expect(port).toBeLessThan(low);
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '0.0.0.0', resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
