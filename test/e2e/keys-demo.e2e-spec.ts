/**
 * The demo key of `herald dev`: each start prints a fresh key and a curl line that
 * works exactly as printed against the events API; the previous start's key stops
 * working.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '@herald/platform';
import { freshDatabase, testKafkaBrokers } from '../support/infra';
import { cleanEnv, startHerald, waitForReady } from '../support/herald-process';

const CURL_LINE =
  /^ {2}try {9}(curl -s -H "Authorization: Bearer (mc_test_[A-Za-z0-9_-]{43})" http:\/\/dev\.localhost:\d+\/api\/v1\/events)$/m;

function runPrinted(line: string): { status: number | null; body: any } {
  const res = spawnSync('sh', ['-c', line], { encoding: 'utf8', timeout: 20_000 });
  let body: unknown = res.stdout;
  try {
    body = JSON.parse(res.stdout);
  } catch {
    // left as text for the assertion message
  }
  return { status: res.status, body };
}

describe('herald dev demo key', () => {
  it('prints a curl line that works as printed, and replaces the key at each start', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-demo-'));
    fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    const env = cleanEnv({
      PORT: String(port),
      HERALD_DATA_DIR: dataDir,
      DATABASE_URL: await freshDatabase(),
      KAFKA_BROKERS: testKafkaBrokers().join(','),
    });

    const printed: Array<{ line: string; key: string }> = [];
    for (let run = 0; run < 2; run++) {
      const herald = startHerald(['dev'], env);
      try {
        await waitForReady(port, herald);
        const match = CURL_LINE.exec(herald.output());
        expect(match).not.toBeNull();
        const [, line, key] = match!;
        expect(line).toContain(`:${port}/`);
        printed.push({ line: line!, key: key! });

        const res = runPrinted(line!);
        expect(res.status).toBe(0);
        expect(res.body).toMatchObject({ data: expect.any(Array), meta: { request_id: expect.any(String) } });

        if (run === 1) {
          const old = runPrinted(printed[0]!.line);
          expect(old.body).toMatchObject({ error: { code: 'invalid_api_key' } });
        }
      } finally {
        herald.child.kill('SIGTERM');
      }
      expect(await herald.waitForExit()).toBe(0);
    }
    expect(printed[0]!.key).not.toBe(printed[1]!.key);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
