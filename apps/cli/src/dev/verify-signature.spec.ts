import { webhookHeaders } from '@herald/webhooks/signing';
import { verifyMobieusSignature } from './verify-signature';

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const OTHER = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
const NOW = 1_780_000_000;
const body = Buffer.from('{"id":"evt_01","type":"post.created","data":{"title":"héllo"}}', 'utf8');

function signed(keys: { current: string; previous?: string }, timestamp = NOW): string {
  const headers = webhookHeaders('mobieus-v1', keys, {
    eventId: 'evt_01',
    eventType: 'post.created',
    deliveryId: 'dlv_01',
    body: body.toString('utf8'),
    timestamp,
  });
  return headers['Mobieus-Signature']!;
}

describe('verifyMobieusSignature', () => {
  it('accepts what Herald signs with the secret it holds', () => {
    expect(verifyMobieusSignature(SECRET, signed({ current: SECRET }), body, NOW)).toEqual({ valid: true });
  });

  it('accepts v1_prev during a rotation, and either side of it', () => {
    const header = signed({ current: OTHER, previous: SECRET });
    expect(verifyMobieusSignature(SECRET, header, body, NOW)).toEqual({ valid: true });
    expect(verifyMobieusSignature(OTHER, header, body, NOW)).toEqual({ valid: true });
  });

  it('refuses another secret, a changed body and a changed timestamp', () => {
    const header = signed({ current: SECRET });
    expect(verifyMobieusSignature(OTHER, header, body, NOW)).toEqual({
      valid: false,
      reason: 'signature does not match',
    });
    expect(verifyMobieusSignature(SECRET, header, Buffer.from(`${body.toString()} `), NOW).valid).toBe(false);
    expect(verifyMobieusSignature(SECRET, header.replace(`t=${NOW}`, `t=${NOW + 1}`), body, NOW).valid).toBe(
      false,
    );
  });

  it('refuses a timestamp more than five minutes off, either way', () => {
    expect(verifyMobieusSignature(SECRET, signed({ current: SECRET }, NOW - 300), body, NOW).valid).toBe(
      true,
    );
    expect(verifyMobieusSignature(SECRET, signed({ current: SECRET }, NOW - 301), body, NOW)).toEqual({
      valid: false,
      reason: 'timestamp outside the 5-minute tolerance',
    });
    expect(verifyMobieusSignature(SECRET, signed({ current: SECRET }, NOW + 301), body, NOW).valid).toBe(
      false,
    );
  });

  it('refuses missing and malformed headers with a reason', () => {
    expect(verifyMobieusSignature(SECRET, undefined, body, NOW)).toEqual({
      valid: false,
      reason: 'no Mobieus-Signature header',
    });
    expect(verifyMobieusSignature(SECRET, 'garbage', body, NOW).valid).toBe(false);
    expect(verifyMobieusSignature(SECRET, `v1=${'0'.repeat(64)}`, body, NOW)).toEqual({
      valid: false,
      reason: 'no timestamp (t=) in Mobieus-Signature',
    });
    expect(verifyMobieusSignature(SECRET, `t=${NOW}`, body, NOW)).toEqual({
      valid: false,
      reason: 'no v1 signature in Mobieus-Signature',
    });
    expect(verifyMobieusSignature(SECRET, `t=${NOW},v1=abc`, body, NOW).valid).toBe(false);
  });
});
