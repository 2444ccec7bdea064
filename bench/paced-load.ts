/**
 * An open-loop load at a steady `rate`: request i is due at start + i/rate and its latency
 * counts from then, so a stall delays every request due during it (no coordinated
 * omission). autocannon's own rate limit sends each second's quota as a burst at the top
 * of the second, which measures the peak's queueing, not latency at that rate.
 *
 * The generator runs in a worker thread of its own: a fresh heap and event loop, so the
 * bench process's garbage (thousands of cursors, earlier runs' results) is not collected
 * in the middle of a latency run, and its pauses are not counted as the server's. It
 * still shares the machine, so it reports how late it sent and how long its own event
 * loop stalled.
 *
 * The first `leadIn` seconds run at the same rate but are measured apart: the generator's
 * code is compiled and its pool's connections are opened then (every connection at once,
 * which costs the first few hundred milliseconds' requests tens to hundreds of ms). The
 * result is the steady state that follows; the lead-in's own p99 is reported beside it.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface PacedLoad {
  origin: string;
  headers: Record<string, string>;
  duration: number;
  rate: number;
  paths: readonly string[];
  connections: number;
  /** Seconds at the same rate before the measured `duration`, measured apart (default 1). */
  leadIn?: number;
}

export interface PacedResult {
  rps: number;
  p50: number;
  p99: number;
  /** How late the generator sent its 99th-percentile request (it shares the machine). */
  sendLagP99: number;
  /** The generator's own longest event-loop stall, ms. */
  generatorStallMax: number;
  errors: number;
  non2xx: number;
  /** p99 of the lead-in's requests, ms: connections opening and code compiling. */
  leadInP99: number;
}

export function paced(load: PacedLoad): Promise<PacedResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: load });
    worker.once('message', (r: PacedResult) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`paced load worker exited with ${code}`));
    });
  });
}

async function run(load: PacedLoad): Promise<PacedResult> {
  const pool = new Pool(load.origin, { connections: load.connections, pipelining: 1 });
  const first = Math.round(load.rate * (load.leadIn ?? 1));
  const total = first + Math.round(load.rate * load.duration);
  const latencies = new Float64Array(total - first);
  const leadIn = new Float64Array(first);
  const lags = new Float64Array(total - first);
  let done = 0;
  let warm = 0;
  let measuredFrom = 0;
  let errors = 0;
  let non2xx = 0;
  const pending: Array<Promise<void>> = [];
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  stalls.enable();
  const start = performance.now();
  try {
    for (let i = 0; i < total;) {
      const now = performance.now();
      for (; i < total && start + (i * 1000) / load.rate <= now; i++) {
        const due = start + (i * 1000) / load.rate;
        const measured = i >= first;
        if (measured) lags[i - first] = now - due;
        if (i === first) {
          measuredFrom = due;
          stalls.reset();
        }
        const path = load.paths[i % load.paths.length]!;
        pending.push(
          pool.request({ origin: load.origin, path, method: 'GET', headers: load.headers }).then(
            async (res) => {
              await res.body.dump();
              if (measured && (res.statusCode < 200 || res.statusCode > 299)) non2xx++;
              if (measured) latencies[done++] = performance.now() - due;
              else leadIn[warm++] = performance.now() - due;
            },
            () => {
              if (measured) errors++;
            },
          ),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(pending);
  } finally {
    stalls.disable();
    await pool.close();
  }
  const elapsed = (performance.now() - measuredFrom) / 1000;
  const at = (values: Float64Array, q: number): number => {
    if (values.length === 0) return 0;
    const sorted = values.slice().sort();
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  };
  const served = latencies.subarray(0, done);
  return {
    rps: done / elapsed,
    p50: at(served, 0.5),
    p99: at(served, 0.99),
    sendLagP99: at(lags, 0.99),
    generatorStallMax: Math.round(stalls.max / 1e6),
    errors,
    non2xx,
    leadInP99: at(leadIn.subarray(0, warm), 0.99),
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  void run(workerData as PacedLoad).then((r) => port.postMessage(r));
}
