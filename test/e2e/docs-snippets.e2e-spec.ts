/**
 * Docs that run: every fenced block of every docs/*.md and of the integrator libraries' READMEs
 * (client, client-python, receiver) is executed or checked against a real
 * `herald dev` (all roles, on the run's Kafka and Postgres). Shell runs with bash, JS/TS with
 * node (TypeScript through the repository's SWC hook; `@herald/receiver` and `@herald/client`
 * resolve to their sources), Python with python3 (`herald_client` on PYTHONPATH); JSON is
 * parsed and validated (public events against the contracts' schemas, `$schema` documents
 * compiled, `schema=`/`envelope=` against docs/openapi.yaml); YAML parsed; SQL run in a
 * rolled-back transaction; `http` sent. A `receiver` program is started behind a local HTTPS
 * front, registered as an endpoint, sent a test event (and again after a rotation, while it
 * still holds the old secret), and must print `verified <event id>`. The rules of the block
 * syntax are in test/support/doc-snippets.ts; `text` blocks are skipped by rule.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import * as yaml from 'js-yaml';
import { Client } from 'pg';
import { publicEventSchemas, validateInternalEvent } from '@herald/contracts';
import { freePort } from '@herald/platform';
import { FIXTURES, internalEvent } from '../fixtures/internal-events';
import { apiRequest } from '../support/api-keys';
import {
  docFiles,
  parseSnippets,
  programs,
  runnerOf,
  Runner,
  withTopLevelAwait,
  Snippet,
  SnippetProgram,
} from '../support/doc-snippets';
import {
  cleanEnv,
  REPO_ROOT,
  runHeraldAsync,
  RunningHerald,
  startHerald,
  waitForReady,
} from '../support/herald-process';
import { eventually, freshDatabase, testKafkaBrokers } from '../support/infra';
import { createTestCa, LOCAL_DNS, TestCa } from '../support/tls';
import { RunningRedis, startRedisServer } from '../support/redis-server';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';

/** Blocks that may be marked `not-run`; each one is printed with its reason. */
const MAX_NOT_RUN = 3;
const BLOCK_TIMEOUT_MS = 60_000;
const PRELOAD = path.join(REPO_ROOT, 'test', 'support', 'doc-snippets-preload.js');
const PYTHONPATH = path.join(REPO_ROOT, 'libs', 'client-python');

interface Outcome {
  status: number | null;
  out: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      out += `\n(killed after ${BLOCK_TIMEOUT_MS} ms)`;
      child.kill('SIGKILL');
    }, BLOCK_TIMEOUT_MS);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

async function waitForPort(port: number, proc: ChildProcess, output: () => string): Promise<void> {
  await eventually(
    () =>
      new Promise<boolean>((resolve, reject) => {
        if (proc.exitCode !== null) reject(new Error(`exited with ${proc.exitCode}:\n${output()}`));
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    20_000,
  );
}

/** An HTTPS origin Herald may dial, passing each request on unchanged to a plain HTTP port. */
async function httpsFront(
  ca: TestCa,
  targetPort: number,
  hookPath: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const cert = ca.issue({ dns: LOCAL_DNS, ips: ['127.0.0.1'] });
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}${hookPath}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('docs that run', () => {
  let herald: RunningHerald;
  let ca: TestCa;
  let receiver: WebhookReceiver;
  let redis: RunningRedis;
  let port: number;
  let databaseUrl: string;
  let dataDir: string;
  let key: string;
  let snippetEnv: NodeJS.ProcessEnv;
  let openapi: Record<string, unknown>;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-docs-'));

  const api = (p: string, opts: { method?: string; body?: unknown } = {}) =>
    apiRequest(`http://127.0.0.1:${port}`, p, { tenant: 'dev', key, ...opts });

  beforeAll(async () => {
    ca = createTestCa();
    receiver = await startWebhookReceiver({ ca });
    redis = await startRedisServer(); // the receiver library's Redis dedupe store
    port = await freePort();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-docs-data-'));
    fs.chmodSync(dataDir, 0o755);
    databaseUrl = await freshDatabase();
    const env = cleanEnv({
      PORT: String(port),
      HERALD_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      // Loopback receivers (the snippets' HTTPS fronts) on any port, trusted through the test CA.
      HERALD_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
      NODE_EXTRA_CA_CERTS: ca.certFile,
      HERALD_RETRY_SCHEDULE: '0,1s,2s',
    });
    herald = startHerald(['dev', '--no-demo-receiver'], env);
    await waitForReady(port, herald, 240_000);
    const minted = await runHeraldAsync(
      [
        'keys',
        'create',
        '--tenant',
        'dev',
        '--scopes',
        'events:read,users:read,posts:read,webhooks:read,webhooks:manage,keys:read,keys:manage',
        '--mode',
        'test',
        '--rate-limit',
        '100000',
        '--json',
      ],
      env,
    );
    if (minted.status !== 0) throw new Error(`keys create: ${minted.stderr}`);
    key = (JSON.parse(minted.stdout) as { key: string }).key;

    const created = await api('/api/v1/webhooks', {
      method: 'POST',
      body: { url: `${receiver.url}/hooks`, events: ['*'], label: 'docs examples' },
    });
    expect(created.status).toBe(201);
    const serviceToken = (
      JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { service_token: string }
    ).service_token;

    // One event of every kind, so the feed, users and posts the examples read are not empty.
    const events = FIXTURES.map((f, i) =>
      internalEvent(
        'dev',
        { kind: f.kind, data: f.data },
        { occurred_at: new Date(Date.now() + i).toISOString() },
      ),
    );
    const appended = await fetch(`http://127.0.0.1:${port}/internal/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(appended.status).toBe(202);
    await eventually(async () => {
      const page = await api('/api/v1/events?limit=100');
      return (page.body as { data: unknown[] }).data.length >= FIXTURES.length;
    }, 60_000);

    openapi = yaml.load(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'openapi.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    snippetEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      HERALD_URL: `http://dev.localhost:${port}`,
      HERALD_TENANT_HOST: `dev.localhost:${port}`,
      HERALD_API_KEY: key,
      HERALD_WEBHOOK_URL: `${receiver.url}/hooks`,
      HERALD_ENDPOINT_ID: (created.body as { data: { id: string } }).data.id,
      // Product services' side (libs/client README): the internal API and a tenant of it.
      HERALD_INTERNAL_URL: `http://127.0.0.1:${port}`,
      HERALD_SERVICE_TOKEN: serviceToken,
      HERALD_TENANT: 'dev',
      // The CLI examples find the running Herald through its data dir; receivers keep their
      // dedupe table in the same database.
      HERALD_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
      PYTHONPATH,
      PYTHONUNBUFFERED: '1',
    };
  }, 300_000);

  afterAll(async () => {
    herald?.child.kill('SIGINT');
    await herald?.waitForExit().catch(() => undefined);
    await receiver?.close();
    await redis?.stop();
    ca?.dispose();
    for (const dir of [scratch, dataDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function validateJson(p: SnippetProgram, value: unknown): string | undefined {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const check = (schema: unknown, v: unknown, what: string) =>
      ajv.validate(schema as object, v) ? undefined : `${what}: ${ajv.errorsText()}`;
    const component = (name: string) => {
      const schemas = (openapi.components as { schemas: Record<string, unknown> }).schemas;
      if (!schemas[name]) throw new Error(`no component ${name} in docs/openapi.yaml`);
      return { $ref: `openapi#/components/schemas/${name}` };
    };
    ajv.addSchema({ ...openapi, $id: 'openapi' });
    if (typeof p.attrs.schema === 'string') return check(component(p.attrs.schema), value, p.attrs.schema);
    if (typeof p.attrs.envelope === 'string') {
      const v = value as { data?: unknown; meta?: unknown };
      const items = Array.isArray(v.data) ? v.data : [v.data];
      for (const item of items) {
        const problem = check(component(p.attrs.envelope), item, `data of ${p.attrs.envelope}`);
        if (problem) return problem;
      }
      return check(component(Array.isArray(v.data) ? 'ListMeta' : 'Meta'), v.meta, 'meta');
    }
    const obj = value as Record<string, unknown>;
    if (obj && typeof obj === 'object' && '$schema' in obj) {
      ajv.compile(obj);
      return undefined;
    }
    if (obj && typeof obj.id === 'string' && obj.id.startsWith('evt_') && typeof obj.type === 'string') {
      const schema = publicEventSchemas()[obj.type];
      return schema ? check(schema, obj, `public event ${obj.type}`) : `unknown public type ${obj.type}`;
    }
    if (obj && typeof obj.kind === 'string' && 'occurred_at' in obj) {
      const v = validateInternalEvent(obj);
      return v.ok ? undefined : `internal event: ${JSON.stringify(v)}`;
    }
    return undefined;
  }

  async function runReceiver(p: SnippetProgram, file: string, cmd: string[]): Promise<string | undefined> {
    const appPort = await freePort();
    const front = await httpsFront(
      ca,
      appPort,
      typeof p.attrs.path === 'string' ? p.attrs.path : '/webhooks',
    );
    const scheme = typeof p.attrs.scheme === 'string' ? p.attrs.scheme : 'mobieus-v1';
    const created = await api('/api/v1/webhooks', {
      method: 'POST',
      body: { url: front.url, events: ['post.*'], label: `docs ${p.parts[0]}`, signing_scheme: scheme },
    });
    if (created.status !== 201) return `register: ${created.status} ${JSON.stringify(created.body)}`;
    const endpoint = (created.body as { data: { id: string; secret: string } }).data;
    const child = spawn(cmd[0]!, [...cmd.slice(1), file], {
      cwd: path.dirname(file),
      env: { ...snippetEnv, PORT: String(appPort), WEBHOOK_SECRET: endpoint.secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const verified = async (label: string) => {
      const sent = await api(`/api/v1/webhooks/${endpoint.id}/test`, { method: 'POST' });
      if (sent.status !== 202) throw new Error(`${label}: test event ${sent.status}`);
      const eventId = (sent.body as { data: { event_id: string } }).data.event_id;
      await eventually(async () => out.includes(`verified ${eventId}`), 30_000).catch(() => {
        throw new Error(`${label}: no "verified ${eventId}" line`);
      });
      await eventually(async () => {
        const page = await api(`/api/v1/webhooks/${endpoint.id}/deliveries`);
        const d = (page.body as { data: Array<{ event_id: string; status: string }> }).data.find(
          (x) => x.event_id === eventId,
        );
        return d?.status === 'succeeded';
      }, 30_000).catch(() => {
        throw new Error(`${label}: delivery of ${eventId} did not succeed`);
      });
    };
    try {
      await waitForPort(appPort, child, () => out);
      await verified('first delivery');
      if (scheme === 'mobieus-v1') {
        // The receiver still holds the old secret: the grace window's v1_prev must carry it.
        const rotated = await api(`/api/v1/webhooks/${endpoint.id}/rotate-secret`, {
          method: 'POST',
          body: { grace_seconds: 3600 },
        });
        if (rotated.status !== 200) return `rotate: ${rotated.status} ${JSON.stringify(rotated.body)}`;
        await verified('after a rotation, with the old secret');
      }
      return undefined;
    } catch (err) {
      return `${err instanceof Error ? err.message : String(err)}\n${out}`;
    } finally {
      child.kill('SIGTERM');
      await front.close();
      await api(`/api/v1/webhooks/${endpoint.id}`, { method: 'DELETE' });
    }
  }

  async function sendHttp(p: SnippetProgram): Promise<string | undefined> {
    const text = p.code.trim().replace(/\$\{?([A-Z_]+)\}?/g, (m, name: string) => snippetEnv[name] ?? m);
    const [head, ...bodyParts] = text.split(/\n\n/);
    const [requestLine, ...headerLines] = head!.split('\n');
    const [method, target] = requestLine!.split(' ');
    const headers: Record<string, string> = {};
    for (const h of headerLines.filter((l) => l.trim() !== '')) {
      const i = h.indexOf(':');
      headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
    const body = bodyParts.join('\n\n').trim();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body === '' ? undefined : body);
    });
    const expected = typeof p.attrs.status === 'string' ? Number(p.attrs.status) : undefined;
    if (expected !== undefined ? status !== expected : status >= 300) return `answered ${status}`;
    return undefined;
  }

  async function runProgram(p: SnippetProgram, runner: Runner, index: number): Promise<string | undefined> {
    const dir = path.join(scratch, String(index));
    fs.mkdirSync(dir, { recursive: true });
    const named = typeof p.attrs.file === 'string' ? p.attrs.file : undefined;
    const write = (fallback: string, code = p.code) => {
      const file = path.join(dir, named ?? fallback);
      fs.writeFileSync(file, code);
      return file;
    };
    const expectOk = (o: Outcome) => (o.status === 0 ? undefined : `exit ${o.status}:\n${o.out}`);
    switch (runner) {
      case 'shell':
        // From the repository root, where `npx herald` is this checkout's CLI.
        return expectOk(await run('bash', ['-euo', 'pipefail', write('snippet.sh')], snippetEnv, REPO_ROOT));
      case 'node': {
        const ts = ['ts', 'typescript'].includes(p.lang);
        const code = ts && !p.attrs.receiver ? withTopLevelAwait(p.code) : p.code;
        const file = write(ts ? 'snippet.ts' : 'snippet.js', code);
        if (p.attrs.receiver) return runReceiver(p, file, [process.execPath, '-r', PRELOAD]);
        return expectOk(await run(process.execPath, ['-r', PRELOAD, file], snippetEnv, dir));
      }
      case 'python': {
        const file = write('snippet.py');
        if (p.attrs.receiver) return runReceiver(p, file, ['python3']);
        return expectOk(await run('python3', [file], snippetEnv, dir));
      }
      case 'json':
        return validateJson(p, JSON.parse(p.code));
      case 'yaml':
        yaml.load(p.code);
        return undefined;
      case 'sql': {
        const db = new Client({ connectionString: databaseUrl });
        await db.connect();
        try {
          await db.query('BEGIN');
          await db.query(p.code);
          return undefined;
        } finally {
          await db.query('ROLLBACK').catch(() => undefined);
          await db.end();
        }
      }
      case 'http':
        return sendHttp(p);
      case 'skipped':
        return undefined;
    }
  }

  it('runs every code block of docs/*.md and the library READMEs', async () => {
    const snippets: Snippet[] = docFiles(REPO_ROOT).flatMap((doc) =>
      parseSnippets(doc, fs.readFileSync(path.join(REPO_ROOT, doc), 'utf8')),
    );
    const notRun = snippets.filter((s) => s.notRun !== undefined);
    const unnamed = snippets.filter((s) => !s.notRun && runnerOf(s.lang) === undefined);
    const counts: Record<string, number> = {};
    const failures: string[] = unnamed.map(
      (s) => `${s.doc}:${s.line}: block language "${s.lang}" is not one the test runs (use text for samples)`,
    );
    const runnable = programs(
      snippets.filter((s) => s.notRun === undefined && runnerOf(s.lang) !== undefined),
    );
    let index = 0;
    for (const p of runnable) {
      const runner = runnerOf(p.lang)!;
      index += 1;
      const problem = await runProgram(p, runner, index).catch((err: unknown) =>
        err instanceof Error ? err.message : String(err),
      );
      if (problem) failures.push(`${p.parts.join(' + ')} (${p.lang}): ${problem}`);
      const label =
        runner === 'skipped' ? 'text (skipped by rule)' : p.attrs.receiver ? `${p.lang} receiver` : p.lang;
      counts[label] = (counts[label] ?? 0) + p.parts.length;
    }
    const report = [
      `doc snippets: ${snippets.length} blocks in ${docFiles(REPO_ROOT).length} docs`,
      ...Object.entries(counts)
        .sort()
        .map(([lang, n]) => `  ${lang}: ${n}`),
      `  not-run: ${notRun.length} (at most ${MAX_NOT_RUN})`,
      ...notRun.map((s) => `    ${s.doc}:${s.line} (${s.lang}): ${s.notRun}`),
    ].join('\n');
    console.log(report);
    expect(failures).toEqual([]);
    expect(notRun.length).toBeLessThanOrEqual(MAX_NOT_RUN);
  }, 900_000);
});
