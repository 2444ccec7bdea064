/**
 * Secrets hygiene of the real system: `herald dev` on its embedded engines at
 * LOG_LEVEL=debug, driven through key creation, an OAuth client and its token, webhook
 * registration, rotations, signed deliveries to the HTTPS demo receiver, internal appends and
 * a few bad requests. Then no API key, OAuth client secret or access token, webhook secret
 * (nor its raw key, in base64, base64url or hex), service token, master key or console admin
 * password may appear in any line the process printed (the start banner's one showing of the
 * demo key, service token and admin password aside), in any response after the one that
 * showed it, in any error body, audit row or Kafka record of any topic.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { freePort } from '@herald/platform';
import { FIXTURES, internalEvent } from '../fixtures/internal-events';
import { cleanEnv, runHerald, RunningHerald, startHerald, waitForReady } from '../support/herald-process';
import { eventually } from '../support/infra';

interface Secret {
  name: string;
  /** Every spelling that must not appear: the text itself and the encodings of its bytes. */
  forms: string[];
}

/** The text, the part after its `xxx_` prefix, and that part's bytes in base64, base64url and hex. */
function secret(name: string, text: string): Secret {
  const body = text.replace(/^[a-z]+_(live_|test_)?/, '');
  const forms = new Set([text, body]);
  if (/^[A-Za-z0-9+/_-]+=*$/.test(body)) {
    const raw = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (raw.length >= 16) {
      forms.add(raw.toString('base64'));
      forms.add(raw.toString('base64').replace(/=+$/, ''));
      forms.add(raw.toString('base64url'));
      forms.add(raw.toString('hex'));
    }
  }
  return { name, forms: [...forms].filter((f) => f.length >= 16) };
}

function leaks(where: string, text: string, secrets: readonly Secret[]): string[] {
  const found: string[] = [];
  const lower = text.toLowerCase();
  for (const s of secrets) {
    for (const f of s.forms) {
      const hit = /^[0-9a-f]+$/.test(f) ? lower.includes(f) : text.includes(f);
      if (hit) found.push(`${s.name} in ${where}`);
    }
  }
  return found;
}

/** A request over node:http, which lets the test choose the Host header (fetch does not). */
function send(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  const all =
    body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers: all }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('secrets hygiene (herald dev at LOG_LEVEL=debug)', () => {
  let herald: RunningHerald | undefined;
  let dataDir: string;

  afterAll(async () => {
    if (herald?.child.pid !== undefined && herald.child.exitCode === null) {
      process.kill(-herald.child.pid, 'SIGTERM');
      await herald.waitForExit(30_000).catch(() => process.kill(-herald!.child.pid!, 'SIGKILL'));
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('no key, webhook secret, service token or master key in logs, later responses, errors, audit rows or Kafka records', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-secrets-'));
    fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    const env = cleanEnv({
      PORT: String(port),
      HERALD_DATA_DIR: dataDir,
      HERALD_KAFKA_PORT: String(await freePort()),
      HERALD_KAFKA_CONTROLLER_PORT: String(await freePort()),
      HERALD_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'debug',
    });
    herald = startHerald(['dev'], env, { group: true });
    await waitForReady(port, herald);
    const banner = herald.output();
    const stored = JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as {
      master_key: string;
      service_token: string;
      admin_password: string;
    };
    const dev = JSON.parse(fs.readFileSync(path.join(dataDir, 'dev.json'), 'utf8')) as {
      database_url: string;
      kafka_brokers: string[];
    };
    const demoKey = /^ {2}demo key {4}(mc_test_[A-Za-z0-9_-]{43}) /m.exec(banner)?.[1];
    const receiverUrl = /^ {2}receiver {4}(https:\/\/127\.0\.0\.1:\d+\/webhooks) /m.exec(banner)?.[1];
    expect(demoKey).toBeDefined();
    expect(receiverUrl).toBeDefined();

    const second = cleanEnv({ HERALD_DATA_DIR: dataDir });
    const minted = runHerald(
      [
        'keys',
        'create',
        '--tenant',
        'dev',
        '--scopes',
        'events:read,webhooks:read,webhooks:manage',
        '--json',
      ],
      second,
    );
    expect(minted.status).toBe(0);
    const key = (JSON.parse(minted.stdout) as { key: string }).key;

    const host = `dev.localhost:${port}`;
    const later: Array<{ what: string; text: string }> = [];
    const call = async (
      method: string,
      target: string,
      opts: { body?: unknown; raw?: string; form?: boolean; auth?: string; showsSecret?: boolean } = {},
    ): Promise<{ status: number; json: any }> => {
      const headers: Record<string, string> = { host, authorization: opts.auth ?? `Bearer ${key}` };
      const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      if (body !== undefined) {
        headers['content-type'] = opts.form ? 'application/x-www-form-urlencoded' : 'application/json';
      }
      const res = await send(port, method, target, headers, body);
      const text = res.text;
      // The answer of a create or rotation is the one showing of that secret.
      if (!opts.showsSecret) later.push({ what: `${method} ${target} → ${res.status}`, text });
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };

    const created = await call('POST', '/api/v1/webhooks', {
      body: { url: receiverUrl, events: ['*'], label: 'hygiene' },
      showsSecret: true,
    });
    expect(created.status).toBe(201);
    const endpoint = created.json.data.id as string;
    const webhookSecrets = [created.json.data.secret as string];
    expect((await call('POST', `/api/v1/webhooks/${endpoint}/test`)).status).toBe(202);
    for (const body of [{ grace_seconds: 3600 }, { signing_scheme: 'standard-webhooks-ed25519' }, {}]) {
      const rotated = await call('POST', `/api/v1/webhooks/${endpoint}/rotate-secret`, {
        body,
        showsSecret: true,
      });
      expect(rotated.status).toBe(200);
      webhookSecrets.push(rotated.json.data.secret as string);
      expect((await call('POST', `/api/v1/webhooks/${endpoint}/test`)).status).toBe(202);
    }
    const fixture = FIXTURES.find((f) => f.kind === 'forum.post.created')!;
    const appended = await call('POST', '/internal/v1/events', {
      body: [internalEvent('dev', fixture, { occurred_at: new Date().toISOString() })],
      auth: `Bearer ${stored.service_token}`,
    });
    expect(appended.status).toBe(202);

    // An OAuth client: its secret shown once by the CLI, a token shown once by the token endpoint.
    const clientCreated = runHerald(
      ['clients', 'create', '--tenant', 'dev', '--scopes', 'events:read', '--json'],
      second,
    );
    expect(clientCreated.status).toBe(0);
    const client = JSON.parse(clientCreated.stdout) as { client_id: string; client_secret: string };
    const clientBasic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const issued = await call('POST', '/oauth/token', {
      raw: 'grant_type=client_credentials',
      form: true,
      auth: clientBasic,
      showsSecret: true,
    });
    expect(issued.status).toBe(200);
    const accessToken = issued.json.access_token as string;
    expect((await call('GET', '/api/v1/events', { auth: `Bearer ${accessToken}` })).status).toBe(200);
    const postForm = `grant_type=client_credentials&client_id=${client.client_id}&client_secret=`;
    expect(
      (
        await call('POST', '/oauth/token', {
          raw: `${postForm}${client.client_secret}x`,
          form: true,
          auth: '',
        })
      ).status,
    ).toBe(401);
    expect(
      (await call('POST', '/oauth/token', { body: { client_secret: client.client_secret } })).status,
    ).toBe(400);
    expect((await call('GET', '/api/v1/events', { auth: `Bearer ${accessToken}x` })).status).toBe(401);
    expect((await call('GET', `/api/v1/events?access_token=${accessToken}`, { auth: '' })).status).toBe(401);

    // Bad requests: keys one character off, in the wrong place, a broken body, wrong token.
    expect((await call('GET', '/api/v1/events', { auth: `Bearer ${key}x` })).status).toBe(401);
    expect((await call('GET', '/api/v1/events', { auth: `Basic ${key}` })).status).toBe(401);
    expect((await call('GET', '/api/v1/events', { auth: key })).status).toBe(401);
    // A key pasted into the URL instead of the header.
    expect((await call('GET', `/api/v1/events?api_key=${key}`, { auth: '' })).status).toBe(401);
    expect((await call('GET', `/api/v1/webhooks/${key}`, { auth: '' })).status).toBe(401);
    expect((await call('POST', '/api/v1/webhooks', { body: {}, auth: `Bearer ${demoKey}` })).status).toBe(
      403,
    );
    expect((await call('POST', '/api/v1/webhooks', { raw: `{"url":"${webhookSecrets[0]}"` })).status).toBe(
      400,
    );
    expect(
      (await call('POST', '/internal/v1/events', { body: [], auth: `Bearer ${stored.service_token}x` }))
        .status,
    ).toBe(401);
    expect(
      (await call('POST', '/internal/v1/events', { body: [], auth: `Bearer ${stored.master_key}` })).status,
    ).toBe(401);

    // Every delivery attempted at least once: the test events and the appended post, each
    // signed under the secrets of its time. (The demo receiver checks signatures against the
    // secret of its own endpoint, so it answers these with an error: attempts still happen.)
    let lastPage = '';
    const deliveries = await eventually(async () => {
      const page = await call('GET', `/api/v1/webhooks/${endpoint}/deliveries?limit=100`);
      const items = page.json.data as Array<{ status: string; event_type: string; attempts: unknown[] }>;
      lastPage = JSON.stringify(items.map((d) => [d.event_type, d.status, d.attempts.length]));
      const tried = items.filter((d) => d.attempts.length > 0);
      return tried.length >= 5 && tried.some((d) => d.event_type === 'post.created') ? page : undefined;
    }, 60_000).catch((err) => {
      throw new Error(`${String(err)}; deliveries: ${lastPage}`);
    });
    expect(deliveries.status).toBe(200);
    await call('GET', `/api/v1/webhooks/${endpoint}`);
    await call('GET', '/api/v1/webhooks');
    await call('GET', '/api/v1/events');

    const secrets: Secret[] = [
      secret('API key', key),
      secret('demo API key', demoKey!),
      secret('service token', stored.service_token),
      secret('master key', stored.master_key),
      secret('admin password', stored.admin_password),
      secret('OAuth client secret', client.client_secret),
      secret('OAuth access token', accessToken),
      ...webhookSecrets.map((s, i) => secret(`webhook secret #${i + 1}`, s)),
    ];
    const found: string[] = [];

    // Log lines: everything the process printed, but the banner lines that show the demo
    // key, the service token and the console admin's password once (and the curl lines that
    // spell the demo key out).
    const shownOnce = /^ {2}(service token|demo key|try|deliveries|admin) /;
    herald
      .output()
      .split('\n')
      .forEach((line, i) => {
        const allowed = shownOnce.test(line)
          ? secrets.filter((s) => !/^(demo API key|service token|admin password)$/.test(s.name))
          : secrets;
        found.push(...leaks(`log line ${i + 1}`, line, allowed));
      });
    for (const r of later) found.push(...leaks(`response of ${r.what}`, r.text, secrets));

    let auditRows = 0;
    const db = new Client({ connectionString: dev.database_url });
    await db.connect();
    try {
      const audit = await db.query<{ row: string }>(`SELECT to_jsonb(a)::text AS row FROM audit_log a`);
      auditRows = audit.rows.length;
      expect(auditRows).toBeGreaterThan(0);
      for (const r of audit.rows) found.push(...leaks('an audit row', r.row, secrets));
    } finally {
      await db.end();
    }

    const kafka = new Kafka({
      clientId: 'herald-secrets-test',
      brokers: dev.kafka_brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
    const ends = new Map<string, Map<number, bigint>>();
    let total = 0n;
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(offsets.map((o) => [o.partition, BigInt(o.high)])));
      for (const o of offsets) total += BigInt(o.high) - BigInt(o.low);
    }
    await admin.disconnect();
    expect(total).toBeGreaterThan(0n);
    const consumer = kafka.consumer({ groupId: `secrets-hygiene-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    let read = 0n;
    const seen = new Map<string, bigint>();
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          read++;
          const headers = Object.entries(message.headers ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join('\n');
          const text = `${message.key?.toString() ?? ''}\n${message.value?.toString() ?? ''}\n${headers}`;
          found.push(...leaks(`a record of ${batch.topic}`, text, secrets));
        }
        // lastOffset counts transaction markers too, so it reaches the high watermark.
        seen.set(`${batch.topic}/${batch.partition}`, BigInt(batch.lastOffset()) + 1n);
      },
    });
    // Read to the end of every partition as it was measured above.
    await eventually(async () => {
      for (const [topic, parts] of ends) {
        for (const [partition, high] of parts) {
          if (high > 0n && (seen.get(`${topic}/${partition}`) ?? 0n) < high) return undefined;
        }
      }
      return true;
    }, 60_000);
    await consumer.disconnect();
    expect(read).toBeGreaterThan(0n);

    process.stdout.write(
      `secrets hygiene: ${herald.output().split('\n').length} log lines, ${later.length} responses, ` +
        `${auditRows} audit rows, ${read} Kafka records of ${topics.length} topics, ` +
        `${secrets.length} secrets in ${secrets.reduce((n, s) => n + s.forms.length, 0)} spellings\n`,
    );
    expect(found).toEqual([]);
  }, 300_000);
});
