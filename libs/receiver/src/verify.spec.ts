/**
 * The verifier against Herald's own signer: every scheme, rotation (v1_prev and two keys),
 * tampered body, timestamp and key, stale and future timestamps, malformed headers.
 */
import { generateEndpointSecret } from '../../webhooks/src/secrets/endpoint-secret';
import { SigningKeys, webhookHeaders } from '../../webhooks/src/signing';
import { SigningScheme, verify, verifyDelivery, VerificationErrorCode, WebhookVerificationError } from '.';

const NOW = new Date('2026-01-02T03:04:05Z');
const T = Math.floor(NOW.getTime() / 1000);
const event = {
  id: 'evt_01JD4Z8Q6N2J1M3K5P7R9T0V2W',
  type: 'post.created',
  created_at: '2026-01-02T03:04:00.000000Z',
  data: { title: 'Grüße, "quoted" ✓' },
};
const body = JSON.stringify(event);

function signed(scheme: SigningScheme, keys: SigningKeys, opts: { timestamp?: number; body?: string } = {}) {
  return webhookHeaders(scheme, keys, {
    eventId: event.id,
    eventType: event.type,
    deliveryId: 'dlv_1',
    body: opts.body ?? body,
    timestamp: opts.timestamp ?? T,
  });
}

function codeOf(fn: () => unknown): VerificationErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code;
    throw err;
  }
}

const SCHEMES: SigningScheme[] = [
  'mobieus-v1',
  'mobieus-v1-sha512',
  'standard-webhooks',
  'standard-webhooks-ed25519',
];

describe.each(SCHEMES)('verify %s', (scheme) => {
  const current = generateEndpointSecret(scheme);
  const previous = generateEndpointSecret(scheme);
  const stranger = generateEndpointSecret(scheme);

  it('accepts Herald’s signature, detects the scheme from the headers and returns the parsed event', () => {
    const headers = signed(scheme, { current: current.signing });
    expect(verify(headers, Buffer.from(body), current.shown, { now: NOW })).toEqual(event);
    const d = verifyDelivery(headers, body, [stranger.shown, current.shown], { now: NOW });
    expect(d).toMatchObject({ scheme, timestamp: T, secretIndex: 1 });
  });

  it('accepts with the old key during a rotation’s grace window, and with the new one', () => {
    const headers = signed(scheme, { current: current.signing, previous: previous.signing });
    expect(verifyDelivery(headers, body, previous.shown, { now: NOW }).secretIndex).toBe(0);
    expect(verify(headers, body, current.shown, { now: NOW })).toEqual(event);
    if (scheme.startsWith('mobieus')) {
      expect(verifyDelivery(headers, body, previous.shown, { now: NOW }).matched).toBe('v1_prev');
      expect(verifyDelivery(headers, body, current.shown, { now: NOW }).matched).toBe('v1');
    }
  });

  it('refuses a body changed by one byte, a key it does not hold, and a re-dated timestamp', () => {
    const headers = signed(scheme, { current: current.signing });
    expect(codeOf(() => verify(headers, body.replace('✓', '✔'), current.shown, { now: NOW }))).toBe(
      'bad_signature',
    );
    expect(codeOf(() => verify(headers, body, [stranger.shown, previous.shown], { now: NOW }))).toBe(
      'bad_signature',
    );
    const redated = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [
        k,
        k === 'Mobieus-Signature'
          ? v.replace(`t=${T}`, `t=${T + 1}`)
          : k === 'webhook-timestamp'
            ? `${T + 1}`
            : v,
      ]),
    );
    expect(codeOf(() => verify(redated, body, current.shown, { now: NOW }))).toBe('bad_signature');
  });

  it('refuses a timestamp beyond the tolerance either way, and accepts one just inside it', () => {
    const at = (timestamp: number) => signed(scheme, { current: current.signing }, { timestamp });
    expect(codeOf(() => verify(at(T - 301), body, current.shown, { now: NOW }))).toBe('stale_timestamp');
    expect(codeOf(() => verify(at(T + 301), body, current.shown, { now: NOW }))).toBe('stale_timestamp');
    expect(codeOf(() => verify(at(T - 300), body, current.shown, { now: NOW }))).toBe('none');
    expect(codeOf(() => verify(at(T - 30), body, current.shown, { now: NOW, toleranceSeconds: 10 }))).toBe(
      'stale_timestamp',
    );
  });

  it('refuses a verified body that is not a Herald event as malformed', () => {
    const other = '{"hello":"world"}';
    const headers = signed(scheme, { current: current.signing }, { body: other });
    expect(codeOf(() => verify(headers, other, current.shown, { now: NOW }))).toBe('malformed');
  });

  it('refuses when told a different scheme than the one signed', () => {
    const headers = signed(scheme, { current: current.signing });
    const other = scheme === 'mobieus-v1' ? 'mobieus-v1-sha512' : 'mobieus-v1';
    expect(codeOf(() => verify(headers, body, current.shown, { now: NOW, scheme: other }))).not.toBe('none');
  });
});

describe('verify: missing and malformed headers', () => {
  const secret = generateEndpointSecret('mobieus-v1').shown;
  const good = signed('mobieus-v1', { current: secret });
  const sig = good['Mobieus-Signature']!;
  const v1 = sig.split(',')[1]!;

  it.each<[string, Record<string, string>, VerificationErrorCode]>([
    ['no signature header at all', { 'content-type': 'application/json' }, 'missing_signature'],
    ['an empty Mobieus-Signature', { 'mobieus-signature': '' }, 'missing_signature'],
    ['no t=', { 'mobieus-signature': v1 }, 'missing_timestamp'],
    ['no v1=', { 'mobieus-signature': `t=${T}` }, 'missing_signature'],
    ['a part without =', { 'mobieus-signature': `t=${T},${v1},garbage` }, 'malformed'],
    ['a non-numeric t', { 'mobieus-signature': `t=12ab,${v1}` }, 'malformed'],
    ['two t=', { 'mobieus-signature': `t=${T},t=${T},${v1}` }, 'malformed'],
    ['a v1 that is not hex', { 'mobieus-signature': `t=${T},v1=${'z'.repeat(64)}` }, 'malformed'],
    ['a truncated v1', { 'mobieus-signature': `t=${T},${v1.slice(0, -2)}` }, 'malformed'],
    [
      'webhook-signature without webhook-id',
      { 'webhook-signature': 'v1,AAAA', 'webhook-timestamp': `${T}` },
      'malformed',
    ],
    [
      'webhook-signature without webhook-timestamp',
      { 'webhook-signature': 'v1,AAAA', 'webhook-id': 'evt_1' },
      'missing_timestamp',
    ],
    [
      'webhook-signature that is not base64',
      { 'webhook-signature': 'v1,not base64!', 'webhook-id': 'evt_1', 'webhook-timestamp': `${T}` },
      'malformed',
    ],
  ])('%s', (_name, headers, code) => {
    expect(
      codeOf(() => verify(headers, body, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', { now: NOW })),
    ).toBe(code);
  });

  it('reads headers case-insensitively, from arrays and from a fetch Headers', () => {
    expect(verify({ 'MOBIEUS-SIGNATURE': [sig] }, body, secret, { now: NOW }).id).toBe(event.id);
    expect(verify(new Headers({ 'Mobieus-Signature': sig }), body, secret, { now: NOW }).id).toBe(event.id);
  });

  it('maps each code to the status a receiver answers', () => {
    expect(new WebhookVerificationError('bad_signature', 'x').status).toBe(401);
    expect(new WebhookVerificationError('missing_signature', 'x').status).toBe(401);
    expect(new WebhookVerificationError('stale_timestamp', 'x').status).toBe(400);
    expect(new WebhookVerificationError('missing_timestamp', 'x').status).toBe(400);
    expect(new WebhookVerificationError('malformed', 'x').status).toBe(400);
  });

  it('tries each signature kind with its own keys when a list mixes whsec_ and whpk_', () => {
    const hmac = generateEndpointSecret('standard-webhooks');
    const ed = generateEndpointSecret('standard-webhooks-ed25519');
    const h = signed('standard-webhooks', { current: hmac.signing });
    const e = signed('standard-webhooks-ed25519', { current: ed.signing });
    expect(verifyDelivery(h, body, [ed.shown, hmac.shown], { now: NOW }).secretIndex).toBe(1);
    expect(verifyDelivery(e, body, [hmac.shown, ed.shown], { now: NOW }).secretIndex).toBe(1);
    expect(
      codeOf(() => verify(e, body, [hmac.shown], { now: NOW, scheme: 'standard-webhooks-ed25519' })),
    ).toBe('no_secret');
  });

  it('needs at least one secret', () => {
    expect(codeOf(() => verify(good, body, [], { now: NOW }))).toBe('no_secret');
  });
});
