/**
 * Signatures as integrators check them, over real HTTPS: requests built with webhookHeaders
 * and sent with undici to a receiver written in Node and one written in Python (stdlib),
 * each holding the secrets an integrator would, through a rotation and after it. The
 * Standard Webhooks schemes are checked by an independent verifier written here from the
 * specification, the way the standardwebhooks libraries verify.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'undici';
import type { SigningScheme } from '../../libs/webhooks/src/endpoints/endpoint';
import { generateEndpointSecret } from '../../libs/webhooks/src/secrets/endpoint-secret';
import { SigningKeys, webhookHeaders } from '../../libs/webhooks/src/signing/webhook-headers';
import { createTestCa, IssuedCert, TestCa } from '../support/tls';
import {
  PythonReceiver,
  SignatureCheck,
  startPythonReceiver,
  startWebhookReceiver,
  verifyMobieusSignature,
  WebhookReceiver,
} from '../support/webhook-receiver';

const oldSecret = generateEndpointSecret('mobieus-v1').signing;
const newSecret = generateEndpointSecret('mobieus-v1').signing;
const strangerSecret = generateEndpointSecret('mobieus-v1').signing;

let sequence = 0;
function event(body = { type: 'post.created', data: { title: 'Grüße, "quoted" ✓' } }) {
  sequence += 1;
  return {
    eventId: `evt_signing_${sequence}`,
    eventType: 'post.created',
    deliveryId: `dlv_signing_${sequence}`,
    body: JSON.stringify({ id: `evt_signing_${sequence}`, ...body }),
    timestamp: Math.floor(Date.now() / 1000),
  };
}

/** A receiver that holds some secrets and reports, per request, whether a signature matched. */
interface Integrator {
  url: string;
  verdicts(): { event_id: string | null; valid: boolean; matched: 'v1' | 'v1_prev' | null }[];
}

describe('webhook signatures over real HTTPS', () => {
  let ca: TestCa;
  let cert: IssuedCert;
  let agent: Agent;
  const nodeReceivers: WebhookReceiver[] = [];
  const pythonReceivers: PythonReceiver[] = [];
  let integrators: Record<'node' | 'python', { old: Integrator; new: Integrator }>;

  async function nodeIntegrator(
    secrets: string[],
    algorithm: 'sha256' | 'sha512' = 'sha256',
  ): Promise<Integrator> {
    const checks: (SignatureCheck & { event_id: string | null })[] = [];
    const receiver = await startWebhookReceiver({
      ca,
      cert,
      behaviour: (req) => {
        const check = verifyMobieusSignature(secrets, req.headers['mobieus-signature'], req.rawBody, 300, {
          algorithm,
        });
        checks.push({ ...check, event_id: header(req.headers, 'mobieus-event-id') });
        return check.valid ? { status: 204 } : { status: 400, body: check.reason };
      },
    });
    nodeReceivers.push(receiver);
    return {
      url: receiver.url,
      verdicts: () => checks.map(({ event_id, valid, matched }) => ({ event_id, valid, matched })),
    };
  }

  async function pythonIntegrator(secrets: string[]): Promise<Integrator> {
    const receiver = await startPythonReceiver({ cert, secrets });
    pythonReceivers.push(receiver);
    return { url: receiver.url, verdicts: () => receiver.entries() };
  }

  beforeAll(async () => {
    ca = createTestCa();
    cert = ca.issue({ name: 'signing-receivers', ips: ['127.0.0.1'] });
    agent = new Agent({ connect: { ca: ca.cert } });
    integrators = {
      node: { old: await nodeIntegrator([oldSecret]), new: await nodeIntegrator([newSecret]) },
      python: { old: await pythonIntegrator([oldSecret]), new: await pythonIntegrator([newSecret]) },
    };
  });

  afterAll(async () => {
    await agent?.close();
    for (const r of nodeReceivers) await r.close();
    for (const r of pythonReceivers) await r.close();
    ca?.dispose();
  });

  async function deliver(
    to: Integrator,
    scheme: SigningScheme,
    keys: SigningKeys,
    message: ReturnType<typeof event>,
    sentBody = message.body,
  ): Promise<{ status: number; verdict: ReturnType<Integrator['verdicts']>[number] | undefined }> {
    const res = await request(`${to.url}/hooks`, {
      method: 'POST',
      headers: webhookHeaders(scheme, keys, message),
      body: sentBody,
      dispatcher: agent,
    });
    await res.body.dump();
    const verdict = to.verdicts().find((v) => v.event_id === message.eventId);
    return { status: res.statusCode, verdict };
  }

  describe.each(['node', 'python'] as const)('the %s receiver', (lang) => {
    it('accepts a valid mobieus-v1 signature made with its secret', async () => {
      const message = event();
      const res = await deliver(integrators[lang].new, 'mobieus-v1', { current: newSecret }, message);
      expect(res).toEqual({
        status: 204,
        verdict: { event_id: message.eventId, valid: true, matched: 'v1' },
      });
    });

    it('during the grace window accepts the dual-signed request with the old secret (v1_prev) or the new (v1)', async () => {
      const keys = { current: newSecret, previous: oldSecret };
      const a = event();
      const b = event();
      await expect(deliver(integrators[lang].old, 'mobieus-v1', keys, a)).resolves.toEqual({
        status: 204,
        verdict: { event_id: a.eventId, valid: true, matched: 'v1_prev' },
      });
      await expect(deliver(integrators[lang].new, 'mobieus-v1', keys, b)).resolves.toEqual({
        status: 204,
        verdict: { event_id: b.eventId, valid: true, matched: 'v1' },
      });
    });

    it('rejects a body changed after signing, even by one byte', async () => {
      const message = event();
      const tampered = message.body.replace('✓', '✔');
      expect(tampered).not.toBe(message.body);
      const res = await deliver(
        integrators[lang].new,
        'mobieus-v1',
        { current: newSecret },
        message,
        tampered,
      );
      expect(res).toEqual({
        status: 400,
        verdict: { event_id: message.eventId, valid: false, matched: null },
      });
    });

    it('rejects a signature made with a secret it does not hold', async () => {
      const message = event();
      const res = await deliver(integrators[lang].new, 'mobieus-v1', { current: strangerSecret }, message);
      expect(res.status).toBe(400);
      expect(res.verdict?.valid).toBe(false);
    });

    it('rejects a timestamp outside five minutes, old or future (replays)', async () => {
      const stale = { ...event(), timestamp: Math.floor(Date.now() / 1000) - 301 - 5 };
      const future = { ...event(), timestamp: Math.floor(Date.now() / 1000) + 301 + 5 };
      const fresh = { ...event(), timestamp: Math.floor(Date.now() / 1000) - 240 };
      const to = integrators[lang].new;
      expect((await deliver(to, 'mobieus-v1', { current: newSecret }, stale)).status).toBe(400);
      expect((await deliver(to, 'mobieus-v1', { current: newSecret }, future)).status).toBe(400);
      expect((await deliver(to, 'mobieus-v1', { current: newSecret }, fresh)).status).toBe(204);
    });

    it('after the grace window (new key only) a receiver still on the old secret rejects', async () => {
      const keys = { current: newSecret };
      const message = event();
      expect(webhookHeaders('mobieus-v1', keys, message)['Mobieus-Signature']).not.toContain('v1_prev=');
      const res = await deliver(integrators[lang].old, 'mobieus-v1', keys, message);
      expect(res).toEqual({
        status: 400,
        verdict: { event_id: message.eventId, valid: false, matched: null },
      });
      expect((await deliver(integrators[lang].new, 'mobieus-v1', keys, event())).status).toBe(204);
    });
  });

  it('the Node receiver verifies mobieus-v1-sha512 with SHA-512, and SHA-256 receivers refuse it', async () => {
    const sha512 = await nodeIntegrator([newSecret], 'sha512');
    const keys = { current: newSecret, previous: oldSecret };
    expect((await deliver(sha512, 'mobieus-v1-sha512', keys, event())).status).toBe(204);
    expect((await deliver(integrators.python.new, 'mobieus-v1-sha512', keys, event())).status).toBe(400);
  });

  describe('Standard Webhooks', () => {
    let recorder: WebhookReceiver;
    beforeAll(async () => {
      recorder = await startWebhookReceiver({ ca, cert, behaviour: { status: 204 } });
      nodeReceivers.push(recorder);
    });

    async function sendAndRecord(scheme: SigningScheme, keys: SigningKeys) {
      const message = event();
      recorder.reset();
      const res = await request(`${recorder.url}/hooks`, {
        method: 'POST',
        headers: webhookHeaders(scheme, keys, message),
        body: message.body,
        dispatcher: agent,
      });
      await res.body.dump();
      expect(res.statusCode).toBe(204);
      const [received] = await recorder.waitForRequests(1);
      return { message, received: received! };
    }

    it('standard-webhooks: each key verifies on its own, the id is the event id, and tampering fails', async () => {
      const current = generateEndpointSecret('standard-webhooks').shown;
      const previous = generateEndpointSecret('standard-webhooks').shown;
      const { message, received } = await sendAndRecord('standard-webhooks', { current, previous });
      expect(received.headers['webhook-id']).toBe(message.eventId);
      expect(received.headers['mobieus-event-id']).toBe(message.eventId);
      expect(standardWebhooksVerify(current, received.headers, received.rawBody)).toBe(true);
      expect(standardWebhooksVerify(previous, received.headers, received.rawBody)).toBe(true);
      expect(standardWebhooksVerify(strangerSecret, received.headers, received.rawBody)).toBe(false);
      expect(standardWebhooksVerify(current, received.headers, Buffer.from(`${received.body} `))).toBe(false);
      const old = { ...received.headers, 'webhook-timestamp': String(message.timestamp - 400) };
      expect(standardWebhooksVerify(current, old, received.rawBody)).toBe(false);
    });

    it('standard-webhooks-ed25519: the whpk_ public key verifies the v1a signature over id.timestamp.body', async () => {
      const current = generateEndpointSecret('standard-webhooks-ed25519');
      const previous = generateEndpointSecret('standard-webhooks-ed25519');
      const { received } = await sendAndRecord('standard-webhooks-ed25519', {
        current: current.signing,
        previous: previous.signing,
      });
      expect(ed25519Verify(current.shown, received.headers, received.rawBody)).toBe(true);
      expect(ed25519Verify(previous.shown, received.headers, received.rawBody)).toBe(true);
      const stranger = generateEndpointSecret('standard-webhooks-ed25519').shown;
      expect(ed25519Verify(stranger, received.headers, received.rawBody)).toBe(false);
      expect(ed25519Verify(current.shown, received.headers, Buffer.from('{}'))).toBe(false);
    });
  });
});

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name];
  return typeof v === 'string' ? v : null;
}

/** The `v<n>,<base64>` entries of webhook-signature for one version, after the spec's header and timestamp checks. */
function standardSignatures(headers: IncomingHttpHeaders, version: 'v1' | 'v1a', toleranceSec = 300) {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sig = header(headers, 'webhook-signature');
  if (!id || !ts || !sig || !/^\d+$/.test(ts)) return null;
  if (Math.abs(Math.floor(Date.now() / 1000) - Number(ts)) > toleranceSec) return null;
  const values = sig
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([v]) => v === version)
    .map(([, value]) => value ?? '');
  return { signed: (body: Buffer) => Buffer.concat([Buffer.from(`${id}.${ts}.`), body]), values };
}

/** Verification as the standardwebhooks libraries do it: key = base64 after `whsec_`, HMAC-SHA256, any `v1,` matches. */
function standardWebhooksVerify(secret: string, headers: IncomingHttpHeaders, body: Buffer): boolean {
  const parsed = standardSignatures(headers, 'v1');
  if (!parsed) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(parsed.signed(body)).digest('base64'));
  return parsed.values.some((v) => {
    const given = Buffer.from(v);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function ed25519Verify(publicKey: string, headers: IncomingHttpHeaders, body: Buffer): boolean {
  const parsed = standardSignatures(headers, 'v1a');
  if (!parsed) return false;
  const raw = Buffer.from(publicKey.replace(/^whpk_/, ''), 'base64');
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]),
    format: 'der',
    type: 'spki',
  });
  return parsed.values.some((v) => verify(null, parsed.signed(body), key, Buffer.from(v, 'base64')));
}
