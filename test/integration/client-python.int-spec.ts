/**
 * The Python client (libs/client-python, urllib only) against a running Herald: its live
 * test walks every event with cursors, registers a webhook whose test event is delivered,
 * reads the delivery back and checks error codes. Herald listens on 127.0.0.1, so the tenant
 * travels in an explicit Host header. The spec compares what the script saw with the API.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/herald-process';
import { feedReaches, postEvent, startClientsHarness, ClientsHarness } from '../support/herald-clients';

function runPython(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', args, {
      cwd: path.join(REPO_ROOT, 'libs/client-python'),
      env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('Python client against Herald', () => {
  jest.setTimeout(180_000);
  let h: ClientsHarness;

  beforeAll(async () => {
    h = await startClientsHarness('client-py');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('walks the events, registers a webhook, reads its delivery and gets error codes', async () => {
    await h.ingest.append(Array.from({ length: 7 }, (_, i) => postEvent(h.tenant, i + 1)));
    const served = await feedReaches(h, 7);

    const run = await runPython(['-m', 'unittest', '-v', 'tests.test_live'], {
      HERALD_BASE_URL: h.app.baseUrl,
      HERALD_HOST: h.host,
      HERALD_API_KEY: h.key.key,
      HERALD_WEBHOOK_URL: `${h.receiver.url}/hooks/python`,
    });
    expect({ code: run.code, last: run.err.trim().split('\n').slice(-1)[0] }).toEqual({
      code: 0,
      last: 'OK',
    });
    expect(run.err).not.toContain('skipped');
    const line = run.out.split('\n').find((l) => l.startsWith('RESULT '));
    const result = JSON.parse(line!.slice('RESULT '.length));

    expect(result.event_ids).toEqual(served);
    expect(result.errors).toEqual(['invalid_cursor', 'endpoint_not_found']);
    expect(result.delivery.status).toBe('succeeded');
    const received = h.receiver.requests.find(
      (r) => r.headers['mobieus-event-id'] === result.delivery.event_id,
    );
    expect(received).toMatchObject({ path: '/hooks/python' });
    expect(JSON.parse(received!.body)).toMatchObject({
      type: 'webhook.test',
      data: { endpoint_id: result.endpoint_id },
    });
  });

  it('fails with a readable error when the key is wrong', async () => {
    const run = await runPython(
      [
        '-c',
        'from herald_client import HeraldClient\nHeraldClient(__import__("os").environ["B"], "mc_live_nope", host=__import__("os").environ["H"]).list_events()',
      ],
      { B: h.app.baseUrl, H: h.host },
    );
    expect(run.code).toBe(1);
    expect(run.err.trim().split('\n').slice(-1)[0]).toMatch(
      /^herald_client\._transport\.HeraldApiError: 401 invalid_api_key: /,
    );
  });
});
