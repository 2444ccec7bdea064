#!/usr/bin/env node
// `npm run test:fuzz`: schemathesis against docs/openapi.yaml on a running `herald dev`
// (embedded Kafka and Postgres, in a temporary data dir), then hostile bodies, queries and
// paths against every write route. Passes when no request got a 5xx, schemathesis reports
// no failure or error, every hostile request was refused with a 4xx, and no row changed
// that a 2xx request does not account for (see docs/reliability.md, "Fuzzing").
//
//   npm run test:fuzz                      # the full profile: 100 examples per operation
//   FUZZ_PROFILE=ci npm run test:fuzz      # the CI profile: 10 examples per operation
//   FUZZ_SEED=123 npm run test:fuzz        # replay the generation of an earlier run
//
// The last line is "N passed, N failed", one check each.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '..');
const VENV = path.join(ROOT, '.venv-fuzz');
const SCHEMATHESIS_VERSION = '4.32.5';
const PROFILES = {
  ci: { examples: 10 },
  full: { examples: 100 },
};
// Every read scope, and the one write scope whose changes the checks account for (endpoints).
const ALL_SCOPES =
  'events:read,users:read,posts:read,webhooks:read,webhooks:manage,keys:read,audit:read,settings:read';
/**
 * Rows the API may change on any authorized request, whatever its answer, or that the
 * roles change on their own: usage counters, daily quota counts, key last use, listener
 * heartbeats and consumer checkpoints. Compared without these columns, or not at all.
 */
const BOOKKEEPING_TABLES = new Set([
  'api_key_usage',
  'oauth_client_usage',
  'quota_days',
  'access_listeners',
  'projection_checkpoints',
  'projection_control',
  'herald_migrations',
]);
const BOOKKEEPING_COLUMNS = { api_keys: ['last_used_at'] };

function log(line) {
  process.stdout.write(`fuzz: ${line}\n`);
}

function ensureSchemathesis() {
  const bin = path.join(VENV, 'bin', 'schemathesis');
  const probe = fs.existsSync(bin) ? spawnSync(bin, ['--version'], { encoding: 'utf8' }) : undefined;
  if (probe && probe.status === 0 && probe.stdout.includes(SCHEMATHESIS_VERSION)) return bin;
  log(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${path.relative(ROOT, VENV)}/`);
  const venv = spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  if (venv.status !== 0) {
    throw new Error('python3 -m venv failed (on Debian: apt-get install -y python3-venv)');
  }
  const pip = spawnSync(
    path.join(VENV, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`],
    { stdio: 'inherit' },
  );
  if (pip.status !== 0) throw new Error(`pip install schemathesis==${SCHEMATHESIS_VERSION} failed`);
  return bin;
}

/**
 * A port free right now, below the OS's ephemeral range: herald dev binds it seconds
 * later, and meanwhile an ephemeral port can become the source port of any connection.
 * (The same rule as freePort in libs/platform/src/embedded/net.ts.)
 */
async function freePort() {
  let low = 32768;
  try {
    const n = Number(
      fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    if (Number.isInteger(n) && n > 2048) low = n;
  } catch {
    // not Linux: assume its default
  }
  const from = Math.max(1024, low - 12000);
  for (let i = 0; i < 100; i++) {
    const port = from + Math.floor(Math.random() * (low - from));
    const free = await new Promise((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port between ${from} and ${low - 1}`);
}

/** A fresh terminal's environment: no inherited Herald or engine settings. */
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(HERALD_|KAFKA_|DATABASE_URL|PORT|REDIS_URL|LOG_LEVEL|NODE_ENV|TEST_|FUZZ_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

function herald(args, env) {
  const res = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'herald.js'), ...args], {
    env,
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (res.status !== 0) throw new Error(`herald ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

async function startDev(dataDir, port) {
  const env = cleanEnv({
    PORT: String(port),
    HERALD_DATA_DIR: dataDir,
    HERALD_KAFKA_PORT: String(await freePort()),
    HERALD_KAFKA_CONTROLLER_PORT: String(await freePort()),
    HERALD_PG_PORT: String(await freePort()),
    // The endpoints the hostile phase writes to (nothing listens there); herald dev adds its
    // demo receiver's origin to this list.
    HERALD_WEBHOOK_ALLOW_ORIGINS: 'https://127.0.0.1:9',
  });
  const out = fs.openSync(path.join(dataDir, 'herald-dev.log'), 'a');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'herald.js'), 'dev'], {
    env,
    cwd: ROOT,
    stdio: ['ignore', out, out],
    detached: true,
  });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`herald dev exited with ${child.exitCode}`);
    const res = await request({ port, method: 'GET', path: '/readyz' }).catch(() => undefined);
    if (res && res.status === 200) break;
    if (Date.now() > deadline) throw new Error('herald dev not ready within 180 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, env };
}

async function stopDev(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** One HTTP request with the body sent as the exact bytes given. */
function request({ port, method, path: target, headers = {}, body }) {
  // Framed by Content-Length: Node sends a DELETE body unframed otherwise, and the server
  // rightly reads it as a body-less DELETE followed by garbage.
  const all =
    body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: target, headers: all, timeout: 30_000 },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${target}: no answer within 30 s`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function tables(db) {
  const rows = await db.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return rows.rows.map((r) => r.table_name).filter((t) => !BOOKKEEPING_TABLES.has(t));
}

/** Every row of every table, as canonical JSON text, per table. */
async function snapshot(db) {
  const snap = new Map();
  for (const table of await tables(db)) {
    const drop = (BOOKKEEPING_COLUMNS[table] ?? []).map((c) => ` - '${c}'`).join('');
    const res = await db.query(`SELECT (to_jsonb(t)${drop})::text AS row FROM "${table}" t`);
    snap.set(table, new Set(res.rows.map((r) => r.row)));
  }
  return snap;
}

function snapshotsEqual(a, b) {
  if (a.size !== b.size) return false;
  for (const [table, rows] of a) {
    const other = b.get(table);
    if (!other || other.size !== rows.size) return false;
    for (const r of rows) if (!other.has(r)) return false;
  }
  return true;
}

/** Waits until the rows hold still for two seconds (deliveries in flight settle), at most `ms`. */
async function settled(db, ms) {
  const deadline = Date.now() + ms;
  let last = await snapshot(db);
  for (;;) {
    await new Promise((r) => setTimeout(r, 2_000));
    const now = await snapshot(db);
    if (snapshotsEqual(last, now) || Date.now() > deadline) return now;
    last = now;
  }
}

/** Rows added or removed between two snapshots (a changed row is both), per table. */
function diff(before, after) {
  const changes = [];
  for (const [table, rows] of after) {
    const old = before.get(table) ?? new Set();
    for (const r of rows) if (!old.has(r)) changes.push({ table, kind: 'new', row: JSON.parse(r) });
    for (const r of old) if (!rows.has(r)) changes.push({ table, kind: 'gone', row: JSON.parse(r) });
  }
  return changes;
}

/**
 * Whether a changed row is accounted for by the endpoints that 2xx requests created or
 * changed (`endpoints`): the endpoint itself, its deliveries and their attempts, the audit
 * rows about it, its tenant's endpoint version (`tenants`: the tenants of those endpoints),
 * and the messages of test events (of any type) when a test send succeeded.
 */
function accountedFor(change, endpoints, deliveries, tenants, testSent) {
  const r = change.row;
  switch (change.table) {
    case 'webhook_endpoints':
      return endpoints.has(r.id);
    case 'webhook_endpoint_versions':
      return tenants.has(r.tenant);
    case 'webhook_deliveries':
      return endpoints.has(r.endpoint_id);
    case 'webhook_attempts':
      return deliveries.has(r.delivery_id);
    case 'audit_log':
      return r.target_type === 'webhook_endpoint' && endpoints.has(r.target_id);
    case 'webhook_messages':
      return testSent;
    default:
      return false;
  }
}

function unaccounted(before, after, endpoints, testSent) {
  const deliveries = new Set();
  const tenants = new Set();
  for (const snap of [before, after]) {
    for (const text of snap.get('webhook_deliveries') ?? []) {
      const d = JSON.parse(text);
      if (endpoints.has(d.endpoint_id)) deliveries.add(d.id);
    }
    for (const text of snap.get('webhook_endpoints') ?? []) {
      const e = JSON.parse(text);
      if (endpoints.has(e.id)) tenants.add(e.tenant);
    }
  }
  return diff(before, after).filter((c) => !accountedFor(c, endpoints, deliveries, tenants, testSent));
}

/** What the 2xx answers of a HAR log created or changed: endpoint ids, and whether a test event went out. */
function touchedBy(entries) {
  const endpoints = new Set();
  let testSent = false;
  for (const e of entries) {
    const status = e.response.status;
    if (status < 200 || status > 299 || e.request.method === 'GET' || e.request.method === 'HEAD') continue;
    const target = new URL(e.request.url).pathname;
    const inPath = /^\/api\/v1\/webhooks\/(ep_[0-9A-Z]{26})(\/|$)/.exec(target);
    if (inPath) endpoints.add(inPath[1]);
    if (/\/test$/.test(target)) testSent = true;
    try {
      const data = JSON.parse(e.response.content.text ?? '').data ?? {};
      for (const id of [data.id, data.endpoint_id]) {
        if (typeof id === 'string' && id.startsWith('ep_')) endpoints.add(id);
      }
    } catch {
      // a 2xx without a JSON body names nothing more
    }
  }
  return { endpoints, testSent };
}

function runSchemathesis(bin, { port, host, key, examples, seed, har }) {
  const args = [
    'run',
    path.join(ROOT, 'docs', 'openapi.yaml'),
    '--url',
    `http://127.0.0.1:${port}`,
    '-H',
    `Host: ${host}`,
    '-H',
    `Authorization: Bearer ${key}`,
    '--checks',
    'all',
    '--max-examples',
    String(examples),
    '--workers',
    '2',
    '--no-shrink',
    '--report',
    'har',
    '--report-har-path',
    har,
  ];
  if (seed) args.push('--seed', seed);
  const res = spawnSync(bin, args, {
    cwd: os.tmpdir(),
    env: {
      ...process.env,
      SCHEMATHESIS_HOOKS: 'hooks',
      PYTHONPATH: path.join(__dirname, 'fuzz'),
      NO_COLOR: '1',
    },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  process.stdout.write(res.stdout);
  process.stderr.write(res.stderr);
  const summary = /^=+ (.*) in [\d.]+s =+$/m.exec(res.stdout)?.[1] ?? 'no summary';
  const failures = Number(/(\d+) failures?/.exec(summary)?.[1] ?? 0);
  const errors = Number(/(\d+) errors?/.exec(summary)?.[1] ?? 0);
  const generated = Number(/(\d+) generated/.exec(res.stdout)?.[1] ?? 0);
  return { status: res.status, summary, failures, errors, generated };
}

const nested = (depth, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

/** Hostile requests: deep JSON, NUL, lone surrogates, ids beyond 2^53−1, on every write route. */
function hostileRequests({ endpoint, delivery, tenant }) {
  const deep = nested(5000);
  const ep = `/api/v1/webhooks/${endpoint}`;
  const url = 'https://127.0.0.1:9/h';
  const bodies = [
    ['deep JSON', `{"url":"${url}","events":["*"],"filters":{"data.x":${deep}}}`],
    ['deep JSON (bare)', deep],
    ['deep objects', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)],
    ['NUL (escaped)', `{"url":"${url}","events":["*"],"label":"a\\u0000b"}`],
    ['NUL (raw byte)', `{"url":"${url}","events":["*"],"label":"a\u0000b"}`],
    ['lone surrogate (high)', `{"url":"${url}","events":["*"],"label":"a\\ud800b"}`],
    ['lone surrogate (low)', `{"url":"${url}","events":["post.*","\\udc00"]}`],
    ['NUL in a filter path', `{"url":"${url}","events":["post.*"],"filters":{"data.\\u0000":"x"}}`],
    [
      '2^53+1',
      `{"grace_seconds":9007199254740993,"url":"${url}","events":["*"],"filters":{"data.post_id":9007199254740993}}`,
    ],
    ['2^63', `{"grace_seconds":9223372036854775808,"filters":{"data.post_id":9223372036854775808}}`],
    ['-2^63-1', `{"grace_seconds":-9223372036854775809}`],
    ['1e400', `{"grace_seconds":1e400,"active":true}`],
    ['JSON null', 'null'],
  ];
  // What the edge refuses before any route looks at the body; the only bodies sent to routes
  // that take none (test, delete, replay), which would otherwise ignore them and succeed.
  const EDGE = new Set(['deep JSON', 'deep JSON (bare)', 'deep objects', 'NUL (raw byte)']);
  const publicWrites = [
    ['POST', '/api/v1/webhooks', true],
    ['PATCH', ep, true],
    ['POST', `${ep}/rotate-secret`, true],
    ['POST', `${ep}/test`, false],
    ['POST', `/api/v1/webhooks/deliveries/${delivery}/replay`, false],
    ['DELETE', ep, false],
  ];
  const internalWrites = [
    ['POST', '/internal/v1/events'],
    ...[
      'accounts/register-user',
      'accounts/update-user',
      'forum/create-post',
      'forum/create-thread',
      'forum/delete-post',
      'forum/edit-post',
      'help/add-ticket-message',
      'help/assign-ticket',
      'help/change-ticket-status',
      'help/open-ticket',
      'know/apply-page-edit',
      'know/approve-page',
      'learn/complete-enrollment',
      'learn/create-enrollment',
      'learn/publish-course',
      'moderation/ban-user',
      'moderation/unban-user',
    ].map((c) => ['POST', `/internal/v1/tenants/${tenant}/${c}`]),
  ];
  const out = [];
  for (const [method, target, takesBody] of publicWrites) {
    for (const [name, body] of bodies) {
      if (takesBody || EDGE.has(name)) out.push({ name, method, target, body, auth: 'key' });
    }
  }
  const post = (id, title = '"t"') =>
    `{"id":"01JTESTTESTTESTTESTTESTTES","tenant":"${tenant}","kind":"forum.post.created",` +
    `"occurred_at":"2026-05-28T12:00:00Z","data":{"post_id":${id},"thread_id":1,"forum_slug":"g","title":${title},` +
    `"body":"b","author_id":2,"author_username":"u","ip":"203.0.113.1"}}`;
  const createPost = (id, title = '"t"') =>
    `{"post_id":${id},"thread_id":1,"forum_slug":"g","title":${title},"body":"b","author_id":2,"author_username":"u","ip":"203.0.113.1"}`;
  const internalBodies = [
    ...bodies,
    ['event with post_id 2^53+1', post('9007199254740993')],
    ['event with post_id 2^63', post('9223372036854775808')],
    ['event with a NUL title', post('1', '"a\\u0000"')],
    ['event with a lone surrogate title', post('1', '"a\\ud800"')],
    ['command with post_id 2^53+1', createPost('9007199254740993')],
    ['command with a NUL title', createPost('1', '"\\u0000"')],
    ['command with a lone surrogate title', createPost('1', '"\\udfff"')],
  ];
  for (const [method, target] of internalWrites) {
    for (const [name, body] of internalBodies) out.push({ name, method, target, body, auth: 'service' });
  }
  // The same hostile text in queries and paths of the read routes and the write routes.
  const reads = [
    '/api/v1/events?type=post.%00',
    '/api/v1/events?cursor=%00',
    '/api/v1/events?since=%00',
    '/api/v1/events?until=2026-01-01T00:00:00%ED%A0%80Z',
    '/api/v1/events/%00',
    '/api/v1/events/evt_%ED%A0%80',
    '/api/v1/users/%00',
    '/api/v1/users/9007199254740993',
    '/api/v1/users/9223372036854775808',
    '/api/v1/posts/%00',
    '/api/v1/posts/99999999999999999999999',
    '/api/v1/webhooks/%00',
    '/api/v1/webhooks/%00/deliveries',
    '/api/v1/webhooks?cursor=x%00',
    `/api/v1/webhooks/${endpoint}/deliveries?limit=9007199254740993`,
  ];
  for (const target of reads) out.push({ name: 'query/path', method: 'GET', target, auth: 'key' });
  for (const target of ['/api/v1/webhooks/%00', '/api/v1/webhooks/ep_%ED%A0%80/rotate-secret']) {
    out.push({ name: 'path', method: 'POST', target, body: '{}', auth: 'key' });
    out.push({ name: 'path', method: 'PATCH', target, body: '{}', auth: 'key' });
  }
  return out;
}

async function main() {
  const profileName = process.env.FUZZ_PROFILE ?? 'full';
  const profile = PROFILES[profileName];
  if (!profile) throw new Error(`FUZZ_PROFILE must be one of ${Object.keys(PROFILES).join(', ')}`);
  const bin = ensureSchemathesis();

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-fuzz-'));
  fs.chmodSync(dataDir, 0o755); // reachable by the embedded Postgres user
  const port = await freePort();
  log(`starting herald dev on port ${port} (data dir ${dataDir})`);
  const dev = await startDev(dataDir, port);
  const checks = [];
  const check = (name, ok, detail = '') => {
    checks.push({ name, ok });
    log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  };
  const db = new Client({
    connectionString: JSON.parse(fs.readFileSync(path.join(dataDir, 'dev.json'))).database_url,
  });
  try {
    await db.connect();
    const serviceToken = JSON.parse(
      fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8'),
    ).service_token;
    const key = JSON.parse(
      herald(
        [
          'keys',
          'create',
          '--tenant',
          'dev',
          '--scopes',
          ALL_SCOPES,
          '--rate-limit',
          '1000000',
          '--daily-quota',
          '100000000',
          '--label',
          'fuzz',
          '--json',
        ],
        dev.env,
      ),
    ).key;
    const host = `dev.localhost:${port}`;

    // 1. Schemathesis, every operation, every check. Writes with valid input may succeed:
    // their rows are accounted for by the 2xx answers (see `accountedFor`).
    const before = await settled(db, 60_000);
    const har = path.join(dataDir, 'schemathesis.har');
    const started = Date.now();
    const st = runSchemathesis(bin, {
      port,
      host,
      key,
      examples: profile.examples,
      seed: process.env.FUZZ_SEED,
      har,
    });
    const entries = fs.existsSync(har) ? JSON.parse(fs.readFileSync(har, 'utf8')).log.entries : [];
    const after = await settled(db, 60_000);
    const statuses = entries.map((e) => e.response.status);
    const fivexx = entries.filter((e) => e.response.status >= 500);
    const touched = touchedBy(entries);
    const stray = unaccounted(before, after, touched.endpoints, touched.testSent);
    const figures = {
      profile: profileName,
      examples_per_operation: profile.examples,
      test_cases: st.generated,
      requests: entries.length,
      '2xx': statuses.filter((s) => s >= 200 && s < 300).length,
      '4xx': statuses.filter((s) => s >= 400 && s < 500).length,
      '5xx': fivexx.length,
      endpoints_changed_by_2xx: touched.endpoints.size,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    log(`schemathesis: ${st.summary}`);
    log(`schemathesis figures: ${JSON.stringify(figures)}`);
    check(
      'schemathesis: 0 failures, 0 errors',
      st.status === 0 && st.failures === 0 && st.errors === 0,
      st.summary,
    );
    check(
      'schemathesis: no 5xx',
      fivexx.length === 0,
      fivexx
        .map((e) => `${e.request.method} ${e.request.url} → ${e.response.status}`)
        .slice(0, 5)
        .join('; '),
    );
    check('schemathesis: requests were made', entries.length > 0, `${entries.length} requests`);
    check(
      'schemathesis: no row changed but by a 2xx write',
      stray.length === 0,
      stray
        .slice(0, 5)
        .map((c) => `${c.table} ${c.kind} ${JSON.stringify(c.row).slice(0, 200)}`)
        .join('; '),
    );

    // 2. Hostile input on every write route, against an endpoint and a delivery that exist.
    const auth = (a) => (a === 'service' ? `Bearer ${serviceToken}` : `Bearer ${key}`);
    const created = await request({
      port,
      method: 'POST',
      path: '/api/v1/webhooks',
      headers: { host, authorization: auth('key'), 'content-type': 'application/json' },
      body: JSON.stringify({
        url: 'https://127.0.0.1:9/hostile',
        events: ['post.created'],
        label: 'hostile target',
      }),
    });
    const endpoint = JSON.parse(created.text).data?.id;
    check(
      'hostile: a target endpoint was created',
      created.status === 201,
      `${created.status} ${created.text.slice(0, 200)}`,
    );
    const anyDelivery = await db.query(`SELECT id FROM webhook_deliveries ORDER BY created_at LIMIT 1`);
    const delivery = anyDelivery.rows[0]?.id ?? 'dlv_01JTESTTESTTESTTESTTESTTES';
    const hostileBefore = await settled(db, 60_000);
    const results = [];
    for (const h of hostileRequests({ endpoint, delivery, tenant: 'dev' })) {
      const headers = { host, authorization: auth(h.auth) };
      if (h.body !== undefined) headers['content-type'] = 'application/json';
      const res = await request({ port, method: h.method, path: h.target, headers, body: h.body });
      let code;
      try {
        code = JSON.parse(res.text).error?.code;
      } catch {
        code = undefined;
      }
      results.push({ ...h, status: res.status, code });
    }
    const hostileAfter = await settled(db, 60_000);
    // Endpoints the schemathesis phase changed may still see their deliveries retried.
    const hostileStray = unaccounted(hostileBefore, hostileAfter, touched.endpoints, false);
    const notRefused = results.filter((r) => !(r.status >= 400 && r.status < 500) || !r.code);
    const hostileFigures = {
      requests: results.length,
      refused_4xx: results.filter((r) => r.status >= 400 && r.status < 500).length,
      '5xx': results.filter((r) => r.status >= 500).length,
      codes: Object.fromEntries(
        Object.entries(
          results.reduce(
            (acc, r) => ({ ...acc, [`${r.status} ${r.code}`]: (acc[`${r.status} ${r.code}`] ?? 0) + 1 }),
            {},
          ),
        ).sort(),
      ),
    };
    log(`hostile figures: ${JSON.stringify(hostileFigures)}`);
    check(
      'hostile: every request refused with a 4xx error envelope',
      notRefused.length === 0,
      notRefused
        .slice(0, 5)
        .map((r) => `${r.method} ${r.target} [${r.name}] → ${r.status}`)
        .join('; '),
    );
    check('hostile: no 5xx', hostileFigures['5xx'] === 0);
    check(
      'hostile: no row changed',
      hostileStray.length === 0,
      hostileStray
        .slice(0, 5)
        .map((c) => `${c.table} ${c.kind} ${JSON.stringify(c.row).slice(0, 200)}`)
        .join('; '),
    );
  } catch (err) {
    check('the run completed', false, err instanceof Error ? err.stack : String(err));
  } finally {
    await db.end().catch(() => undefined);
    await stopDev(dev.child);
  }
  const failed = checks.filter((c) => !c.ok).length;
  if (failed === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else log(`kept ${dataDir} (herald-dev.log, schemathesis.har) for a look`);
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(`fuzz: ${err instanceof Error ? err.message : String(err)}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
