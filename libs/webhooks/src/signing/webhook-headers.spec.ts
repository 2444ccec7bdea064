/**
 * Known-answer and interoperability checks for every signing scheme: each expectation is
 * recomputed here straight from node:crypto (or taken from the Standard Webhooks spec), not
 * from the code under test.
 */
import { createHmac, createPublicKey, verify } from 'node:crypto';
import { generateEndpointSecret } from '../secrets/endpoint-secret';
import { OutgoingWebhook, webhookHeaders } from './webhook-headers';

const message: OutgoingWebhook = {
  eventId: 'evt_01JD4Z8Q6N2J1M3K5P7R9T0V2W',
  eventType: 'post.created',
  deliveryId: 'dlv_01JD4Z8Q7A0B1C2D3E4F5G6H7J',
  body: '{"id":"evt_01JD4Z8Q6N2J1M3K5P7R9T0V2W","type":"post.created","data":{"title":"Grüße ✓"}}',
  timestamp: 1_732_000_000,
};
const current = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const previous = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const hmac = (alg: string, key: string | Buffer, data: string, enc: 'hex' | 'base64') =>
  createHmac(alg, key).update(Buffer.from(data, 'utf8')).digest(enc);

const common = {
  'Content-Type': 'application/json',
  'User-Agent': 'Mobieus-Webhook/1.0',
  'Mobieus-Event-Id': message.eventId,
  'Mobieus-Event-Type': 'post.created',
  'Mobieus-Delivery-Id': message.deliveryId,
};

describe('webhookHeaders', () => {
  describe('mobieus-v1', () => {
    it('sends exactly the contract headers, signed with HMAC-SHA256 keyed by the whole secret string', () => {
      const expected = hmac('sha256', current, `${message.timestamp}.${message.body}`, 'hex');
      expect(webhookHeaders('mobieus-v1', { current }, message)).toStrictEqual({
        ...common,
        'Mobieus-Signature': `t=1732000000,v1=${expected}`,
      });
    });

    it('matches fixed vectors computed outside Node (python hmac), for both hash sizes', () => {
      const fixed = { ...message, body: '{"a":1}', timestamp: 1700000000 };
      expect(webhookHeaders('mobieus-v1', { current: 'whsec_test' }, fixed)['Mobieus-Signature']).toBe(
        't=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789',
      );
      expect(webhookHeaders('mobieus-v1-sha512', { current: 'whsec_test' }, fixed)['Mobieus-Signature']).toBe(
        't=1700000000,v1=6a473fec40e09183a8b53e214fccbb90e7c448d7c0568a1341566c962eba1e2c' +
          '8700e1a666ddb91333295eaf07e902b0c7c9ff5577ac42e6d1845f0bb3cd9899',
      );
    });

    it('signs with both keys during the grace window, new key as v1 and old as v1_prev', () => {
      const signed = `${message.timestamp}.${message.body}`;
      const headers = webhookHeaders('mobieus-v1', { current, previous }, message);
      expect(headers['Mobieus-Signature']).toBe(
        `t=1732000000,v1=${hmac('sha256', current, signed, 'hex')},v1_prev=${hmac('sha256', previous, signed, 'hex')}`,
      );
    });

    it('changes the signature when a single body byte changes', () => {
      const a = webhookHeaders('mobieus-v1', { current }, message)['Mobieus-Signature'];
      const b = webhookHeaders(
        'mobieus-v1',
        { current },
        { ...message, body: message.body.replace('✓', '✔') },
      )['Mobieus-Signature'];
      expect(a).not.toBe(b);
    });

    it('refuses a fractional timestamp and an empty key', () => {
      expect(() =>
        webhookHeaders('mobieus-v1', { current }, { ...message, timestamp: 1732000000123.5 }),
      ).toThrow(RangeError);
      expect(() => webhookHeaders('mobieus-v1', { current: '' }, message)).toThrow('signing key is empty');
    });
  });

  describe('mobieus-v1-sha512', () => {
    it('uses the same header format with HMAC-SHA512, dual-signed during grace', () => {
      const signed = `${message.timestamp}.${message.body}`;
      const headers = webhookHeaders('mobieus-v1-sha512', { current, previous }, message);
      expect(headers).toStrictEqual({
        ...common,
        'Mobieus-Signature': `t=1732000000,v1=${hmac('sha512', current, signed, 'hex')},v1_prev=${hmac('sha512', previous, signed, 'hex')}`,
      });
      expect(headers['Mobieus-Signature']).toMatch(/^t=\d+,v1=[0-9a-f]{128},v1_prev=[0-9a-f]{128}$/);
    });
  });

  describe('standard-webhooks', () => {
    it('reproduces the example of the Standard Webhooks specification', () => {
      const headers = webhookHeaders(
        'standard-webhooks',
        { current: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
        {
          eventId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
          eventType: 'test.event',
          deliveryId: 'dlv_1',
          body: '{"test": 2432232314}',
          timestamp: 1614265330,
        },
      );
      expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
      expect(headers['webhook-id']).toBe('msg_p5jXN8AQM9LWM0D4loKWxJek');
      expect(headers['webhook-timestamp']).toBe('1614265330');
    });

    it('sends the event id as webhook-id, the Mobieus ids, and both signatures during grace', () => {
      const key = (s: string) => Buffer.from(s.slice('whsec_'.length), 'base64');
      const signed = `${message.eventId}.${message.timestamp}.${message.body}`;
      expect(webhookHeaders('standard-webhooks', { current, previous }, message)).toStrictEqual({
        ...common,
        'webhook-id': message.eventId,
        'webhook-timestamp': '1732000000',
        'webhook-signature': `v1,${hmac('sha256', key(current), signed, 'base64')} v1,${hmac('sha256', key(previous), signed, 'base64')}`,
      });
    });

    it('keeps webhook-id across retries of the event and re-signs for the new timestamp', () => {
      const first = webhookHeaders('standard-webhooks', { current }, message);
      const retry = webhookHeaders(
        'standard-webhooks',
        { current },
        { ...message, timestamp: message.timestamp + 60 },
      );
      expect(retry['webhook-id']).toBe(first['webhook-id']);
      expect(retry['webhook-timestamp']).toBe('1732000060');
      expect(retry['webhook-signature']).not.toBe(first['webhook-signature']);
    });

    it('refuses a secret that is not whsec_<base64>, without echoing it', () => {
      expect(() => webhookHeaders('standard-webhooks', { current: 'hunter2-not-a-key' }, message)).toThrow(
        /^signing key must be whsec_<base64>$/,
      );
    });
  });

  describe('standard-webhooks-ed25519', () => {
    it('signs id.timestamp.body so the whpk_ public key verifies it, one v1a per key', () => {
      const now = generateEndpointSecret('standard-webhooks-ed25519');
      const old = generateEndpointSecret('standard-webhooks-ed25519');
      const headers = webhookHeaders(
        'standard-webhooks-ed25519',
        { current: now.signing, previous: old.signing },
        message,
      );
      expect(Object.keys(headers).sort()).toEqual(
        [...Object.keys(common), 'webhook-id', 'webhook-timestamp', 'webhook-signature'].sort(),
      );
      const sigs = headers['webhook-signature']!.split(' ');
      expect(sigs).toHaveLength(2);
      const signed = Buffer.from(`${message.eventId}.${message.timestamp}.${message.body}`, 'utf8');
      const verifies = (shown: string, sig: string) =>
        verify(null, signed, publicKeyOf(shown), Buffer.from(sig.replace(/^v1a,/, ''), 'base64'));
      expect(sigs[0]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
      expect(verifies(now.shown, sigs[0]!)).toBe(true);
      expect(verifies(old.shown, sigs[1]!)).toBe(true);
      expect(verifies(old.shown, sigs[0]!)).toBe(false);
      const tampered = Buffer.from(`${message.eventId}.${message.timestamp}.${message.body} `, 'utf8');
      expect(verify(null, tampered, publicKeyOf(now.shown), Buffer.from(sigs[0]!.slice(4), 'base64'))).toBe(
        false,
      );
    });

    it('is deterministic (Ed25519 has no per-signature randomness)', () => {
      const key = generateEndpointSecret('standard-webhooks-ed25519').signing;
      expect(webhookHeaders('standard-webhooks-ed25519', { current: key }, message)).toStrictEqual(
        webhookHeaders('standard-webhooks-ed25519', { current: key }, message),
      );
    });

    it('refuses a key that is not a 32-byte whsk_ seed', () => {
      const short = `whsk_${Buffer.alloc(16, 1).toString('base64')}`;
      expect(() => webhookHeaders('standard-webhooks-ed25519', { current: short }, message)).toThrow(
        'ed25519 signing key must be 32 bytes',
      );
      expect(() => webhookHeaders('standard-webhooks-ed25519', { current }, message)).toThrow(/whsk_/);
    });
  });

  it('never puts key material into any header', () => {
    for (const scheme of ['mobieus-v1', 'mobieus-v1-sha512', 'standard-webhooks'] as const) {
      const all = Object.values(webhookHeaders(scheme, { current, previous }, message)).join('\n');
      expect(all).not.toContain(current.slice('whsec_'.length));
      expect(all).not.toContain(previous.slice('whsec_'.length));
    }
  });
});

/** `whpk_<base64 raw key>` → a KeyObject, via the RFC 8410 SPKI wrapping. */
function publicKeyOf(shown: string) {
  const raw = Buffer.from(shown.slice('whpk_'.length), 'base64');
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}
